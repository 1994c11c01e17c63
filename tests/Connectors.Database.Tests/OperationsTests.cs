using System.Diagnostics;
using Connectors.Testing;
using Npgsql;

namespace Connectors.Database.Tests;

/// <summary>Cancellation, timeouts, pool exhaustion and the database going away, against the real cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OperationsTests(PostgresCluster cluster)
{
    // Runs for minutes unless cancelled; generate_series is immutable, so the guard lets it through.
    internal const string LongQuery = "SELECT count(*) FROM generate_series(1, 50000000000) AS long_running_probe";

    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(90);

    private Task<InMemoryMcp> StartAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", cluster.ConnectionString, .. extra]);

    /// <summary>Backends of the server (application_name connectors-database) running the probe: a SELECT runs as FETCH from its cursor.</summary>
    internal static async Task<long> ActiveProbesAsync(PostgresCluster cluster)
    {
        await using var connection = await cluster.OpenAdminAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'connectors-database' AND state = 'active' AND (query LIKE '%long_running_probe%' OR query LIKE 'FETCH FORWARD % FROM connectors_result')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task WaitForProbesAsync(long expected) => WaitForProbesAsync(cluster, expected);

    internal static async Task WaitForProbesAsync(PostgresCluster cluster, long expected)
    {
        var watch = Stopwatch.StartNew();
        while (await ActiveProbesAsync(cluster) != expected)
        {
            Assert.True(watch.Elapsed < s_patience, $"pg_stat_activity never showed {expected} running probe(s)");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_query_past_the_statement_timeout_answers_timeout()
    {
        await using var mcp = await StartAsync("--statement-timeout", "1");
        var result = await mcp.CallAsync("query", new { sql = LongQuery });
        Assert.Equal("timeout", result.ErrorCode());
        Assert.Contains("statement timeout (1 s)", result.Text(), StringComparison.Ordinal);
        await WaitForProbesAsync(0);
    }

    [Fact]
    public async Task When_every_connection_is_busy_a_call_answers_rate_limited_instead_of_hanging()
    {
        await using var mcp = await StartAsync("--max-connections", "1");
        var busy = mcp.CallAsync("query", new { sql = LongQuery });
        await WaitForProbesAsync(1);

        var refused = await mcp.CallAsync("query", new { sql = "SELECT 1" });
        Assert.Equal("rate_limited", refused.ErrorCode());
        Assert.Contains("busy: all 1 connections are in use", refused.Text(), StringComparison.Ordinal);

        await using (var admin = await cluster.OpenAdminAsync())
        await using (var cancel = new NpgsqlCommand(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'connectors-database' AND state = 'active'", admin))
        {
            await cancel.ExecuteNonQueryAsync();
        }

        Assert.True((await busy).IsError);
        await WaitForProbesAsync(0);
        Assert.True((await mcp.CallAsync("query", new { sql = "SELECT 1" })).IsError != true);
    }

    [Fact]
    public async Task The_database_going_down_answers_upstream_unavailable_and_the_server_recovers_when_it_returns()
    {
        Assert.True(cluster.OwnsCluster, "this test stops and restarts the cluster, so it needs the fixture's own (unset CONNECTORS_TEST_POSTGRES)");
        await using var mcp = await StartAsync();
        Assert.True((await mcp.CallAsync("query", new { sql = "SELECT 1" })).IsError != true);

        await cluster.StopAsync();
        try
        {
            var down = await mcp.CallAsync("query", new { sql = "SELECT 1" });
            Assert.Equal("upstream_unavailable", down.ErrorCode());
            Assert.True(down.ErrorField("retryable").GetBoolean());
            Assert.DoesNotContain("127.0.0.1", down.Text(), StringComparison.Ordinal);
        }
        finally
        {
            await cluster.StartAsync();
        }

        var back = await mcp.CallAsync("query", new { sql = "SELECT 2 AS back", format = "csv" });
        Assert.Equal("back\n2\n", back.Text());

        // A restart nobody noticed: the pool still holds connections to the old server, and the first call must not fail.
        await cluster.StopAsync();
        await cluster.StartAsync();
        var unnoticed = await mcp.CallAsync("query", new { sql = "SELECT 3 AS again", format = "csv" });
        Assert.Equal("again\n3\n", unnoticed.Text());
    }
}
