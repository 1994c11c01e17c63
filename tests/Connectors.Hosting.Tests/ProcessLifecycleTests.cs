namespace Connectors.Hosting.Tests;

public sealed class ProcessLifecycleTests
{
    [Fact]
    public async Task Stdio_round_trip_keeps_stdout_for_the_protocol_and_logs_json_on_stderr()
    {
        var stderr = new List<string>();
        await using (var client = await ServerProcess.ConnectStdioAsync("Connectors.Hosting.TestServer", ["--log-level", "debug"], onStderrLine: line =>
        {
            lock (stderr)
            {
                stderr.Add(line);
            }
        }))
        {
            Assert.Equal("connectors-testserver", client.ServerInfo?.Name);
            var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "over stdio" });
            Assert.Equal("over stdio", result.Text());
        }

        lock (stderr)
        {
            Assert.NotEmpty(stderr);
            Assert.All(stderr, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
        }
    }

    [Fact]
    public async Task A_stdio_server_does_not_load_asp_net_core()
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(ServerProcess.ServerDll("Connectors.Hosting.TestServer"));
        using var process = System.Diagnostics.Process.Start(startInfo)!;
        try
        {
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""");
            await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}""");
            await process.StandardInput.FlushAsync();
            // Requests are handled concurrently, so the two answers may come in either order.
            string[] answers = [(await process.StandardOutput.ReadLineAsync())!, (await process.StandardOutput.ReadLineAsync())!];
            Assert.Contains(answers, a => a.Contains("\"id\":1", StringComparison.Ordinal));
            Assert.Contains(answers, a => a.Contains("\"id\":2", StringComparison.Ordinal));

            var mapped = await File.ReadAllTextAsync($"/proc/{process.Id}/maps");
            Assert.Contains("ModelContextProtocol.Core.dll", mapped, StringComparison.Ordinal);
            // Microsoft.Extensions.* load from the ASP.NET Core shared framework folder; ASP.NET Core's own assemblies must not.
            var aspNetAssemblies = mapped.Split('\n').Select(l => Path.GetFileName(l.Trim()))
                .Where(f => f.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)).Distinct().ToList();
            Assert.Empty(aspNetAssemblies);
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Readiness_fails_with_503_when_a_dependency_check_fails()
    {
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--test-unready"]);
        using var http = new HttpClient();
        using var ready = await http.GetAsync(new Uri(server.BaseUrl, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("told to be unready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_reports_a_throwing_check_by_its_exception_type_only_and_a_hanging_one_after_its_timeout()
    {
        const string secret = "hunter2-readiness-secret";
        var environment = new Dictionary<string, string> { ["CONNECTORS_TEST_SECRET"] = secret };
        using var http = new HttpClient();
        await using (var throwing = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--test-check-fault", "throw"], environment))
        {
            using var ready = await http.GetAsync(new Uri(throwing.BaseUrl, "/readyz"));
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("InvalidOperationException", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Password", body, StringComparison.Ordinal);
            Assert.DoesNotContain(throwing.StderrLines, line => line.Contains(secret, StringComparison.Ordinal));
        }

        await using var hanging = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--test-check-fault", "hang"]);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var timedOut = await http.GetAsync(new Uri(hanging.BaseUrl, "/readyz"));
        var timedOutBody = await timedOut.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
        Assert.Contains("no answer within 5 s", timedOutBody, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(30));

        // The liveness probe runs none of the readiness checks, so a hanging dependency never restarts the process.
        using var live = await http.GetAsync(new Uri(hanging.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await live.Content.ReadAsStringAsync());
        using var posted = await http.PostAsync(new Uri(hanging.BaseUrl, "/healthz"), null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
    }

    [Fact]
    public async Task Sigterm_cancels_in_flight_calls_within_the_shutdown_bound()
    {
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--shutdown-timeout", "3"]);
        using var http = new HttpClient();
        var body = """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":300}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        var call = http.SendAsync(request);
        await server.WaitForLogAsync(l => l.Contains("slow tool started", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var elapsed = await server.TerminateAsync(TimeSpan.FromSeconds(20));

        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"shutdown took {elapsed}");
        Assert.True(
            server.StderrLines.Any(l => l.Contains("slow tool observed cancellation", StringComparison.Ordinal)),
            string.Join(Environment.NewLine, server.StderrLines));
        try
        {
            (await call).Dispose();
        }
        catch (HttpRequestException)
        {
        }
    }

    [Fact]
    public async Task A_2026_07_28_client_discovers_and_calls_a_tool_over_stdio_without_initialize()
    {
        await using var server = RawStdioServer.Start("Connectors.Hosting.TestServer", []);
        var meta = new Dictionary<string, object> { ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28", ["io.modelcontextprotocol/clientCapabilities"] = new { } };

        var discover = await server.RequestAsync("discover", "server/discover", new Dictionary<string, object> { ["_meta"] = meta }, TimeSpan.FromSeconds(60));
        Assert.Contains("2026-07-28", discover.GetProperty("result").GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()));

        var call = await server.RequestAsync("call", "tools/call",
            new Dictionary<string, object> { ["name"] = "echo", ["arguments"] = new { text = "stdio" }, ["_meta"] = meta }, TimeSpan.FromSeconds(60));
        Assert.Equal("stdio", call.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_request_past_the_request_timeout_gets_503_and_its_call_is_cancelled()
    {
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--request-timeout", "3"]);
        using var http = new HttpClient();
        // A first call warms the path, so that on a loaded machine the slow call usually starts before its deadline.
        using (var warmUp = new HttpRequestMessage(HttpMethod.Post, server.McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}""", Encoding.UTF8, "application/json"),
        })
        {
            warmUp.Headers.TryAddWithoutValidation("Accept", "application/json");
            (await http.SendAsync(warmUp)).Dispose();
        }

        var body = """{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":300}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        Assert.Contains("request timeout", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        // A call that started was cancelled with its request (under heavy load the deadline may pass before it starts).
        int Count(string text) => server.StderrLines.Count(l => l.Contains(text, StringComparison.Ordinal));
        await HttpTransportTests.WaitUntilAsync(() => Count("slow tool started") == Count("slow tool observed cancellation"));
    }

    [Fact]
    public async Task A_port_already_in_use_stops_the_server_with_exit_code_2_naming_the_option_not_as_a_crash()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["--transport", "http", "--urls", $"http://127.0.0.1:{port}"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--urls", stderr, StringComparison.Ordinal);
        Assert.Contains("choose another port", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_given_on_the_command_line_stops_the_server_naming_the_safer_variable_but_not_the_value()
    {
        const string Value = "cmdline-secret-4b1d9e";
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["--test-secret", Value]);
        Assert.Equal(2, exitCode);
        Assert.Contains("--test-secret was given on the command line", stderr, StringComparison.Ordinal);
        Assert.Contains("CONNECTORS_TEST_SECRET_FILE", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, stdout + stderr, StringComparison.Ordinal);

        await using var fromEnvironment = await RawStdioServer.StartInitializedAsync(
            "Connectors.Hosting.TestServer", [], new Dictionary<string, string> { ["CONNECTORS_TEST_SECRET"] = Value });
        await fromEnvironment.RequestAsync("ping", "ping", new { }, TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("was given on the command line", fromEnvironment.Stderr, StringComparison.Ordinal);
    }
}
