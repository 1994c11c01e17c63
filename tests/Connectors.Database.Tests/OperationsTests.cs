namespace Connectors.Database.Tests;

/// <summary>Cancellation, timeouts, pool exhaustion and the database going away, against the real cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OperationsTests(DatabaseCluster cluster)
{
    private readonly Probe _probe = new(cluster);

    private Task<InMemoryMcp> StartAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", _probe.ConnectionString, .. extra]);

    [Fact]
    public async Task A_query_past_the_statement_timeout_answers_timeout()
    {
        await using var mcp = await StartAsync("--statement-timeout", "1");
        var result = await mcp.CallAsync("query", new { sql = Probe.LongQuery });
        Assert.Equal("timeout", result.ErrorCode());
        Assert.Contains("statement timeout (1 s)", result.Text(), StringComparison.Ordinal);
        await _probe.WaitForRunningAsync(0);
    }

    [Fact]
    public async Task When_every_connection_is_busy_a_call_answers_rate_limited_instead_of_hanging()
    {
        await using var mcp = await StartAsync("--max-connections", "1");
        var busy = mcp.CallAsync("query", new { sql = Probe.LongQuery });
        await _probe.WaitForRunningAsync(1);

        var refused = await mcp.CallAsync("query", new { sql = "SELECT 1" });
        Assert.Equal("rate_limited", refused.ErrorCode());
        Assert.Contains("busy: all 1 connections are in use", refused.Text(), StringComparison.Ordinal);

        await _probe.CancelFromOutsideAsync();

        Assert.True((await busy).IsError);
        await _probe.WaitForRunningAsync(0);
        Assert.True((await mcp.CallAsync("query", new { sql = "SELECT 1" })).IsError != true);
    }

    [Fact]
    public async Task The_database_going_down_answers_upstream_unavailable_and_the_server_recovers_when_it_returns()
    {
        Assert.SkipUnless(cluster.OwnsCluster, "this test stops and restarts the cluster, so it needs the fixture's own (unset CONNECTORS_TEST_POSTGRES)");
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

    [Fact]
    public async Task An_operators_restart_of_the_database_costs_no_failed_call()
    {
        Assert.SkipUnless(cluster.OwnsCluster, "this test stops and restarts the cluster, so it needs the fixture's own (unset CONNECTORS_TEST_POSTGRES)");
        await using var mcp = await StartAsync();
        // The pool keeps the connection, which the restart tells 57P01 before it ends.
        Assert.True((await mcp.CallAsync("query", new { sql = "SELECT 1" })).IsError != true);

        await cluster.StopAsync(fast: true);
        await cluster.StartAsync();

        foreach (var call in new[] { 1, 2 })
        {
            var answer = await mcp.CallAsync("query", new { sql = $"SELECT {call} AS after_restart", format = "csv" });
            Assert.Equal($"after_restart\n{call}\n", answer.Text());
        }
    }
}
