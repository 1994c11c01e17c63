using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Database.Tests;

/// <summary>
/// The engine fence on its own, with the parser layer bypassed: raw SQL straight to <see cref="PostgresEngine"/> over a
/// single pooled connection, so every call reuses the connection the previous attack ran on.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by IAsyncLifetime.DisposeAsync.")]
public sealed class EngineFenceTests(DatabaseCluster cluster) : IAsyncLifetime
{
    private readonly PostgresEngine _engine = new(NullLogger<PostgresEngine>.Instance);
    private DatabaseProfile _profile = null!;

    public static TheoryData<string> WritesTheEngineRefuses() =>
    [
        "DELETE FROM accounts",
        "SELECT 1; DELETE FROM accounts",
        "COMMIT; DROP TABLE accounts",
        "ROLLBACK; UPDATE accounts SET balance = 0",
        "WITH x AS (UPDATE accounts SET balance = 0 RETURNING 1) SELECT * FROM x",
        "SELECT bump_balances()",
        "SELECT sneaky_stable()",
        "SELECT nextval('account_ids')",
        "SELECT * INTO pwned FROM accounts",
        "CREATE TABLE pwned (x int)",
        "SELECT lo_create(0)",
        "GRANT ALL ON accounts TO PUBLIC",
        "COPY accounts FROM PROGRAM 'echo 9,x,1'",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM accounts",
    ];

    public ValueTask InitializeAsync()
    {
        var settings = ConnectorSettings.From(new Dictionary<ConnectorOption, object?>
        {
            [DatabaseOptions.ConnectionString] = cluster.ConnectionString,
            [DatabaseOptions.MaxConnections] = 1,
        });
        _profile = ProfileRegistry.Create(settings).Get(null);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    private Task<string> RawAsync(string sql) => _engine.ReadAsync(_profile, async (connection, ct) =>
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "";
    }, CancellationToken.None);

    /// <summary>The one-round-trip path: the statement travels in the fence's own batch (BEGIN, SET LOCAL…, it, ROLLBACK).</summary>
    private Task<string> BatchAsync(string sql) => _engine.ReadBatchAsync(_profile, () => [new NpgsqlBatchCommand(sql)], async (reader, ct) =>
        await reader.ReadAsync(ct) ? Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "" : "", null, CancellationToken.None);

    [Fact]
    public async Task A_statement_in_the_fence_batch_runs_read_only_repeatable_read_with_the_profile_timeouts()
    {
        Assert.Equal("on|repeatable read|30s|5s", await BatchAsync(
            "SELECT concat_ws('|', current_setting('transaction_read_only'), current_setting('transaction_isolation'), current_setting('statement_timeout'), current_setting('lock_timeout'))"));
    }

    [Fact]
    public async Task A_batch_that_fails_or_is_left_half_read_leaves_nothing_behind_on_the_pooled_connection()
    {
        var pid = await BatchAsync("SELECT pg_backend_pid()");
        var error = await Assert.ThrowsAsync<ConnectorException>(() => BatchAsync("SELECT 1/0"));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);

        // Session settings and advisory locks taken on every row, of which only the first is read before the work returns.
        var first = await _engine.ReadBatchAsync(_profile,
            () => [new NpgsqlBatchCommand("SELECT set_config('work_mem', '77MB', false), pg_advisory_lock(4243) FROM generate_series(1, 20000)")],
            async (reader, ct) => await reader.ReadAsync(ct) ? reader.GetString(0) : "", null, CancellationToken.None);
        Assert.Equal("77MB", first);

        Assert.Equal(pid, await BatchAsync("SELECT pg_backend_pid()"));
        Assert.NotEqual("77MB", await BatchAsync("SHOW work_mem"));
        Assert.Equal("0", await BatchAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
        Assert.Equal("on", await BatchAsync("SHOW transaction_read_only"));
    }

    [Theory]
    [MemberData(nameof(WritesTheEngineRefuses))]
    public async Task A_write_that_reaches_the_engine_changes_nothing(string sql)
    {
        // Both ways in: a command after the fence's batch, and a statement inside the fence's own batch.
        foreach (var send in new Func<string, Task<string>>[] { RawAsync, BatchAsync })
        {
            var before = await cluster.FingerprintAsync();
            try
            {
                // Most are refused by the read-only transaction; the rest (lo_create) are undone by the rollback.
                await send(sql);
            }
            catch (ConnectorException)
            {
            }

            Assert.Equal(before, await cluster.FingerprintAsync());
            Assert.Equal("on", await send("SHOW transaction_read_only"));
        }
    }

    [Fact]
    public async Task Settings_and_advisory_locks_never_outlive_a_call_on_the_same_pooled_connection()
    {
        var pid = await RawAsync("SELECT pg_backend_pid()");
        await RawAsync("SELECT set_config('statement_timeout', '0', false)");
        await RawAsync("SELECT set_config('default_transaction_read_only', 'off', false)");
        await RawAsync("SELECT pg_advisory_lock(4242)");
        await RawAsync("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");

        Assert.Equal(pid, await RawAsync("SELECT pg_backend_pid()"));
        Assert.Equal("30s", await RawAsync("SHOW statement_timeout"));
        Assert.Equal("on", await RawAsync("SHOW default_transaction_read_only"));
        Assert.Equal("0", await RawAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
        var before = await cluster.FingerprintAsync();
        var error = await Assert.ThrowsAsync<ConnectorException>(() => RawAsync("DELETE FROM accounts"));
        Assert.Equal(ErrorCodes.PermissionDenied, error.Code);
        Assert.Equal(before, await cluster.FingerprintAsync());
    }

    [Fact]
    public async Task Stacked_statements_are_refused_by_the_server_itself()
    {
        var error = await Assert.ThrowsAsync<ConnectorException>(() => RawAsync("SELECT 1; SELECT 2"));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("multiple commands", error.Message, StringComparison.Ordinal);
    }
}
