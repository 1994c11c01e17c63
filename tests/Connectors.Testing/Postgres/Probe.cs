using System.Diagnostics;
using Npgsql;

namespace Connectors.Testing.Postgres;

/// <summary>
/// A long query a test can watch in pg_stat_activity. Each probe gives its server its own application name, so what
/// one test leaves behind can never be mistaken for another test's query.
/// </summary>
public sealed class Probe(PostgresCluster cluster)
{
    // Runs for minutes unless cancelled; generate_series is immutable, so the guard lets it through.
    public const string LongQuery = "SELECT count(*) FROM generate_series(1, 50000000000) AS long_running_probe";

    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(90);

    private const string RunningProbes = """
        SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'
          AND (query LIKE '%long_running_probe%' OR query LIKE 'FETCH FORWARD % FROM connectors_result')
        """;

    public string ApplicationName { get; } = $"probe-{Guid.NewGuid():N}";

    /// <summary>The fixture's connection string under this probe's application name.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { ApplicationName = ApplicationName }.ConnectionString;

    /// <summary>Waits until exactly <paramref name="expected"/> backends of this probe's server run the long query (a SELECT runs as FETCH from its cursor).</summary>
    public async Task WaitForRunningAsync(long expected, TimeSpan? patience = null)
    {
        var watch = Stopwatch.StartNew();
        while (await ScalarAsync(RunningProbes) is long running && running != expected)
        {
            if (watch.Elapsed > (patience ?? s_patience))
            {
                throw new TimeoutException($"pg_stat_activity never showed {expected} running quer(ies): " +
                    await ScalarAsync("SELECT string_agg(pid || ' ' || state || ' ' || query, ' | ') FROM pg_stat_activity WHERE application_name = $1"));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>How many backends (connections, whatever their state) this probe's server holds right now.</summary>
    public async Task<long> ConnectionsAsync() =>
        (long)(await ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"))!;

    /// <summary>Cancels the running queries of this probe's server from another session.</summary>
    public Task CancelFromOutsideAsync() =>
        ScalarAsync("SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'");

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await cluster.OpenAdminAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = ApplicationName } } };
        return await command.ExecuteScalarAsync();
    }
}
