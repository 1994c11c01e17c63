using System.Collections.Concurrent;
using Connectors.Testing.Postgres;

namespace Connectors.Resilience.Tests;

/// <summary>The shared throwaway cluster, with a database of its own name (the database tests may use the same server at the same time).</summary>
public sealed class ResilienceCluster() : PostgresCluster("connectors_resilience");

/// <summary>
/// The database server as a real process over HTTP against a real PostgreSQL: more callers than connections, the
/// database going away mid-run, and clients that hang up mid-query.
/// </summary>
public sealed class DatabaseFaultTests(ResilienceCluster cluster, ITestOutputHelper output) : IDisposable
{
    // A query that keeps a connection busy for a moment; the guard refuses pg_sleep, generate_series is immutable.
    private const string BriefQuery = "SELECT count(*) AS n FROM generate_series(1, 1000000) AS g";
    private const string BriefAnswer = "n\n1000000\n";

    /// <summary>Far beyond any wait the server has (5 s for a connection): a call that hits it hung.</summary>
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(3) };

    public void Dispose() => _http.Dispose();

    private static Task<ServerProcess> StartAsync(Probe probe, params string[] extra) =>
        ServerProcess.StartHttpAsync("Connectors.Database", extra,
            new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = probe.ConnectionString });

    [Fact]
    public async Task Forty_clients_on_a_pool_of_four_each_get_a_result_or_busy_with_retry_after_and_the_server_serves_after()
    {
        const int Clients = 40;
        const int Pool = 4;
        var probe = new Probe(cluster);
        await using var server = await StartAsync(probe, "--max-connections", Pool.ToString(CultureInfo.InvariantCulture), "--tool-timeout", "120");

        var answers = new ConcurrentQueue<ToolAnswer>();
        using var done = new CancellationTokenSource();
        var mostConnections = WatchMostConnectionsAsync(probe, done.Token);
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            answers.Enqueue(await McpHttp.CallToolAsync(_http, server.McpUrl, $"c{c}", "query", new { sql = BriefQuery, format = "csv" })))));
        await done.CancelAsync();

        var problems = answers.Where(a => a.Problem is not null).Select(a => a.Problem).ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} calls without a tool answer, e.g.: {string.Join(Environment.NewLine, problems.Take(5))}");
        var busy = answers.Select(a => a.Answered).Where(r => r.IsError == true).ToList();
        output.WriteLine($"{answers.Count} calls: {answers.Count - busy.Count} results, {busy.Count} busy; at most {await mostConnections} connections");
        Assert.All(answers.Select(a => a.Answered).Where(r => r.IsError != true), r => Assert.Equal(BriefAnswer, r.Text()));
        Assert.All(busy, r =>
        {
            Assert.Equal("rate_limited", r.ErrorCode());
            Assert.Contains($"all {Pool} connections are in use", r.Text(), StringComparison.Ordinal);
            Assert.True(r.ErrorField("retry_after_seconds").GetInt32() >= 1);
        });
        Assert.InRange(await mostConnections, 1, Pool);

        Assert.Equal("n\n1\n", (await McpHttp.CallToolAsync(_http, server.McpUrl, "after", "query", new { sql = "SELECT 1 AS n", format = "csv" })).Answered.Text());
        Assert.Equal(HttpStatusCode.OK, await McpHttp.ReadyzAsync(_http, server.BaseUrl));
    }

    [Fact]
    public async Task PostgreSQL_stopped_mid_run_answers_upstream_unavailable_and_the_same_process_serves_after_the_restart()
    {
        Assert.SkipUnless(cluster.OwnsCluster, "this test stops and restarts the cluster, so it needs the fixture's own (unset CONNECTORS_TEST_POSTGRES)");
        var probe = new Probe(cluster);
        // A deadline far off: a call that waited on the dead database instead of failing fast would answer timeout, not upstream_unavailable.
        await using var server = await StartAsync(probe, "--tool-timeout", "300");
        var select = new { sql = "SELECT 1 AS n", format = "csv" };

        // Callers keep calling through the outage; each answer is a result or upstream_unavailable, never a hang or a protocol error.
        var running = new ConcurrentQueue<ToolAnswer>();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                running.Enqueue(await McpHttp.CallToolAsync(_http, server.McpUrl, $"c{c}-{i}", "query", select));
            }
        })).ToList();
        await WaitUntilAsync(() => running.Count(a => a.Result is { IsError: not true }) >= 8, "callers got results before the outage");

        await cluster.StopAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var down = (await McpHttp.CallToolAsync(_http, server.McpUrl, $"down-{i}", "query", select)).Answered;
                Assert.Equal("upstream_unavailable", down.ErrorCode());
                Assert.True(down.ErrorField("retryable").GetBoolean());
                Assert.True(down.ErrorField("retry_after_seconds").GetInt32() >= 1);
                Assert.DoesNotContain("127.0.0.1", down.Text(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await McpHttp.ReadyzAsync(_http, server.BaseUrl));
        }
        finally
        {
            await cluster.StartAsync();
        }

        var back = await McpHttp.CallUntilSuccessAsync(_http, server.McpUrl, "query", select, TimeSpan.FromMinutes(2));
        Assert.Equal("n\n1\n", back.Text());
        Assert.Equal(HttpStatusCode.OK, await McpHttp.ReadyzAsync(_http, server.BaseUrl));
        var afterRestart = running.Count;
        await WaitUntilAsync(() => running.Skip(afterRestart).Any(a => a.Result is { IsError: not true }), "callers got results after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        var codes = running.Select(a => a.Problem ?? (a.Answered.IsError == true ? a.Answered.ErrorCode() : "ok")).ToList();
        output.WriteLine(string.Join(", ", codes.GroupBy(c => c).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.All(codes, code => Assert.Contains(code, new[] { "ok", "upstream_unavailable" }));
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task A_client_that_aborts_its_HTTP_request_cancels_the_query_in_PostgreSQL_and_frees_its_connection()
    {
        var probe = new Probe(cluster);
        // One connection, and timeouts far beyond the test's patience: only the abort can end the query and free the slot.
        await using var server = await StartAsync(probe, "--max-connections", "1", "--statement-timeout", "900", "--tool-timeout", "900");
        using var abort = new CancellationTokenSource();
        using var request = McpHttp.ToolCallRequest(server.McpUrl, "long", "query", new { sql = Probe.LongQuery });
        var call = _http.SendAsync(request, abort.Token);
        await probe.WaitForRunningAsync(1);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await probe.WaitForRunningAsync(0);

        var next = (await McpHttp.CallToolAsync(_http, server.McpUrl, "next", "query", new { sql = "SELECT 2 AS n", format = "csv" })).Answered;
        Assert.Equal("n\n2\n", next.Text());
        Assert.False(server.HasExited);
    }

    /// <summary>The most connections the server held at once, sampled from pg_stat_activity until cancelled.</summary>
    private static async Task<long> WatchMostConnectionsAsync(Probe probe, CancellationToken cancellationToken)
    {
        long most = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            most = Math.Max(most, await probe.ConnectionsAsync());
            await Task.Delay(20, CancellationToken.None);
        }

        return most;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }
}
