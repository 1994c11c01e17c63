using System.Diagnostics;

namespace Connectors.Database.Tests;

/// <summary>The server as a real process: readiness of every profile over HTTP, and cancellation by a client over HTTP and stdio.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class ServerProcessTests(DatabaseCluster cluster)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(5) };

    private Task<ServerProcess> StartAsync(string connectionString, params string[] extra) =>
        ServerProcess.StartHttpAsync("Connectors.Database", ["--log-level", "information", .. extra],
            new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = connectionString });

    [Fact]
    public async Task Readyz_checks_the_database_profile()
    {
        await using (var server = await StartAsync(cluster.ConnectionString))
        {
            using var ready = await s_http.GetAsync(new Uri(server.BaseUrl, "/readyz"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("database default", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var unreachable = await StartAsync($"Host=127.0.0.1;Port=1;Database=x;Username=u;Password={PostgresCluster.Password}");
        using var notReady = await s_http.GetAsync(new Uri(unreachable.BaseUrl, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.DoesNotContain(PostgresCluster.Password, await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(unreachable.StderrLines, line => line.Contains(PostgresCluster.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_libpg_query_the_server_refuses_to_start_and_says_how_to_install_it()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.Database", [],
            new Dictionary<string, string>
            {
                ["CONNECTORS_DATABASE_CONNECTION_STRING"] = cluster.ConnectionString,
                ["CONNECTORS_PG_QUERY_LIBRARY"] = "/nonexistent/libpg_query.so",
            });
        Assert.Equal(2, exitCode);
        Assert.Contains("apt-get install libpg-query-dev", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_its_query_in_PostgreSQL()
    {
        // Timeouts far beyond the test's patience: only the cancellation can end the query in time.
        var probe = new Probe(cluster);
        await using var server = await StartAsync(probe.ConnectionString, "--statement-timeout", "900", "--tool-timeout", "900");
        var body = """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query","arguments":{"sql":""" + $"\"{Probe.LongQuery}\"" + "}}}";
        using var disconnect = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        var call = s_http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, disconnect.Token);
        await probe.WaitForRunningAsync(1);

        await disconnect.CancelAsync();
        try
        {
            using var response = await call;
            await response.Content.ReadAsStringAsync(disconnect.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await probe.WaitForRunningAsync(0);
    }

    [Fact]
    public async Task A_cancelled_notification_over_stdio_cancels_the_query_in_PostgreSQL()
    {
        var probe = new Probe(cluster);
        using var process = StartOverStdio(probe);
        try
        {
            await InitializeAsync(process);
            await SendAsync(process, QueryRequest(5));
            await probe.WaitForRunningAsync(1);

            await SendAsync(process, Cancellation(5));
            await probe.WaitForRunningAsync(0);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_query_cancelled_at_any_moment_stops_running_in_PostgreSQL()
    {
        // PostgreSQL does not act on every cancel request: one that arrives while the backend works through the batch's first
        // messages is dropped, and about one in eight was lost here even after pg_stat_activity showed the FETCH. Npgsql closes the
        // connection after its cancellation timeout (2 s), and the fence's client_connection_check_interval makes the backend
        // notice and stop. Without that setting a lost cancel leaves the query running for the whole statement timeout.
        // A lost cancel ends after about 2 s + 1 s; the rest is room for a loaded machine. Without the fix it never ends.
        var patience = TimeSpan.FromSeconds(2) + (8 * TimeSpan.FromMilliseconds(Postgres.PostgresEngine.ConnectionCheckMilliseconds));
        var probe = new Probe(cluster);
        using var process = StartOverStdio(probe);
        try
        {
            await InitializeAsync(process);
            var delays = new Random(5);
            for (var id = 10; id < 26; id++)
            {
                await SendAsync(process, QueryRequest(id));
                if (id % 2 == 0)
                {
                    // Once the statement runs.
                    await probe.WaitForRunningAsync(1);
                    await SendAsync(process, Cancellation(id));
                    await probe.WaitForRunningAsync(0, patience);
                    continue;
                }

                // Within 3 ms of the request, often before PostgreSQL has the statement; judged together at the end.
                var delay = Stopwatch.StartNew();
                var wait = TimeSpan.FromMicroseconds(delays.Next(0, 3_000));
                while (delay.Elapsed < wait)
                {
                    Thread.SpinWait(10);
                }

                await SendAsync(process, Cancellation(id));
            }

            // Every request has reached PostgreSQL by now (or been cancelled before it did).
            await Task.Delay(TimeSpan.FromSeconds(2));
            await probe.WaitForRunningAsync(0, patience);
            await SendAsync(process, """{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"query","arguments":{"sql":"SELECT 1 AS still_serving"}}}""");
            Assert.Contains("still_serving", await process.StandardOutput.ReadLineAsync(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The server over stdio with timeouts far beyond the tests' patience: only a cancellation ends the long query in time.</summary>
    private static Process StartOverStdio(Probe probe)
    {
        var start = ServerProcess.CreateStartInfo(
            "Connectors.Database", ["--statement-timeout", "900", "--tool-timeout", "900"],
            new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = probe.ConnectionString });
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task InitializeAsync(Process process)
    {
        await SendAsync(process, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"tests","version":"1"}}}""");
        using (var initialized = JsonDocument.Parse((await process.StandardOutput.ReadLineAsync())!))
        {
            Assert.True(initialized.RootElement.TryGetProperty("result", out _));
        }

        await SendAsync(process, """{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    private static string QueryRequest(int id) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/call","params":{"name":"query","arguments":{"sql":"{{Probe.LongQuery}}" """ + "}}}";

    private static string Cancellation(int id) =>
        $$$"""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{{{id}}},"reason":"test"}}""";

    private static async Task SendAsync(Process process, string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }
}
