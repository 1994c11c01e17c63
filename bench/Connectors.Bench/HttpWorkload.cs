using System.Net;
using System.Net.Sockets;

namespace Connectors.Bench;

/// <summary>
/// HTTP throughput (issue 10): each server started as deployed (<c>--transport http</c>, API-key auth, audit log to a
/// file), then one representative read tool called over Streamable HTTP by 1, 8 and 50 concurrent clients for a fixed
/// time per run: calls/s, p50/p99 latency, idle and peak RSS. Writes bench/results/http.{csv,md}.
/// </summary>
internal static class HttpWorkload
{
    private static readonly int[] ClientLevels = [1, 8, 50];
    private static readonly TimeSpan RunDuration = TimeSpan.FromSeconds(1.5);

    /// <summary>Arguments: <c>&lt;runs&gt; &lt;results-dir&gt; &lt;server&gt;=&lt;binary&gt;… [-- &lt;PostgreSQL connection string&gt;]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var separator = Array.IndexOf(args, "--");
        if (args.Length < 3 || separator is >= 0 and < 3)
        {
            return 2;
        }

        var connectionString = separator >= 0 && separator + 1 < args.Length ? args[separator + 1] : null;
        var servers = args[2..(separator >= 0 ? separator : args.Length)].Select(a => a.Split('=', 2)).ToList();
        if (!int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var runs) || runs < 1
            || servers.Count == 0 || servers.Any(s => s.Length != 2 || !File.Exists(s[1])))
        {
            return 2;
        }

        var rows = new List<Measurement>();
        foreach (var server in servers)
        {
            if (server[0] == "database" && connectionString is null)
            {
                Console.Error.WriteLine("[bench] database needs a connection string after --");
                return 2;
            }

            rows.AddRange(await MeasureServerAsync(server[0], Path.GetFullPath(server[1]), connectionString, runs));
        }

        ResultFile.Write(args[1], "http", "HTTP throughput (api-key auth and audit on, one representative read tool)", rows);
        Console.Write(File.ReadAllText(Path.Combine(args[1], "http.md")));
        return 0;
    }

    private static async Task<List<Measurement>> MeasureServerAsync(string name, string binary, string? connectionString, int runs)
    {
        var scratch = Directory.CreateTempSubdirectory("connectors-bench-http-");
        IAsyncDisposable? emulator = null;
        try
        {
            HttpTarget target;
            switch (name)
            {
                case "github":
                    var github = await GitHubWorkload.StartEmulatorAsync();
                    emulator = github;
                    var ourGitHub = GitHubWorkload.Ours(github, []);
                    target = new HttpTarget(GitHubWorkload.RepresentativeRead.Tool, GitHubWorkload.RepresentativeRead.Arguments, ourGitHub.Command, ourGitHub.Environment)
                    {
                        UpstreamRequests = () => github.RequestsServed,
                    };
                    break;
                case "github+limits" or "github+limits+redis" or "github+replay" or "github+replay+redis":
                    // What --redis costs per call (issue 23): the same server with in-process or Redis-backed limits that
                    // never refuse, and a write whose idempotency key replays (the claim answers "already done").
                    var shared = await GitHubWorkload.StartEmulatorAsync();
                    emulator = shared;
                    var ourShared = GitHubWorkload.Ours(shared, []);
                    string[] extra = name.Contains("+limits", StringComparison.Ordinal)
                        ? ["--rate-limit-identity", "1000000", "--rate-limit-identity-burst", "1000000", "--rate-limit-tool", "1000000", "--rate-limit-tool-burst", "1000000"]
                        : [];
                    if (name.EndsWith("+redis", StringComparison.Ordinal))
                    {
                        extra = [.. extra, "--redis", Environment.GetEnvironmentVariable("CONNECTORS_BENCH_REDIS") ?? throw new InvalidOperationException("CONNECTORS_BENCH_REDIS names no Redis")];
                    }

                    target = name.Contains("+limits", StringComparison.Ordinal)
                        ? new HttpTarget(GitHubWorkload.RepresentativeRead.Tool, GitHubWorkload.RepresentativeRead.Arguments, [.. ourShared.Command, .. extra], ourShared.Environment)
                        : new HttpTarget("create_issue", new { repo = GitHubWorkload.Repo, title = "Replayed", idempotency_key = "bench-replay-" + Guid.NewGuid() }, [.. ourShared.Command, .. extra], ourShared.Environment);
                    target = target with { UpstreamRequests = () => shared.RequestsServed };
                    break;
                case "slack":
                    var slack = await SlackWorkload.StartEmulatorAsync();
                    emulator = slack;
                    var ourSlack = SlackWorkload.Ours(slack, []);
                    target = new HttpTarget(SlackWorkload.RepresentativeRead.Tool, SlackWorkload.RepresentativeRead.Arguments, ourSlack.Command, ourSlack.Environment)
                    {
                        UpstreamRequests = () => slack.TotalCalls,
                    };
                    break;
                default:
                    target = LocalTarget(name, scratch.FullName, connectionString);
                    break;
            }

            return await MeasureAsync(name, binary, target, scratch.FullName, runs);
        }
        finally
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }

            scratch.Delete(recursive: true);
        }
    }

    /// <summary>What the filesystem and database servers are started with and the read tool each is measured on.</summary>
    private static HttpTarget LocalTarget(string name, string scratch, string? connectionString)
    {
        if (name == "filesystem")
        {
            var tree = Directory.CreateDirectory(Path.Combine(scratch, "tree")).FullName;
            for (var i = 0; i < 100; i++)
            {
                File.WriteAllText(Path.Combine(tree, $"note{i:D3}.md"), string.Concat(Enumerable.Repeat($"line {i} of a small note\n", 40)));
            }

            return new HttpTarget("read_text_file", new { path = Path.Combine(tree, "note042.md") }, ["--roots", tree], new Dictionary<string, string>());
        }

        if (name == "database")
        {
            return new HttpTarget("query", new { sql = "SELECT id, name, amount, created_at FROM bench WHERE id = $1", @params = new object[] { 4242 } },
                [], new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = connectionString! });
        }

        throw new ArgumentException($"unknown server '{name}' (filesystem, database, github, slack)", nameof(name));
    }

    private static async Task<List<Measurement>> MeasureAsync(string name, string binary, HttpTarget target, string scratch, int runs)
    {
        var key = "bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var audit = Path.Combine(scratch, "audit.jsonl");
        var port = FreePort();
        var startInfo = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])[.. target.ServerArguments, "--transport", "http", "--urls", $"http://127.0.0.1:{port}", "--auth", "api-key", "--audit-log", audit])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["CONNECTORS_API_KEYS"] = key; // a bare key: every scope of this server, kept off the command line
        startInfo.Environment["CONNECTORS_LOG_LEVEL"] = "warning";
        foreach (var (variable, value) in target.Environment)
        {
            startInfo.Environment[variable] = value;
        }

        Console.Error.WriteLine($"[bench] http {name}: {target.Tool} on port {port}");
        var stderr = new StringBuilder();
        using var process = Process.Start(startInfo)!;
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(60) };
            await WaitHealthyAsync(http, port, process);
            var client = new McpHttpClient(http, new Uri($"http://127.0.0.1:{port}/mcp"), key, target.Tool, target.ToolArguments);
            await Task.Delay(TimeSpan.FromSeconds(1)); // settle after start-up before reading idle memory
            var rows = new List<Measurement> { new(name, Who.Connectors, "idle RSS over HTTP", "MB", [Measure.ReadRssMb(process.Id)]) };

            for (var i = 0; i < 200; i++)
            {
                await client.CallAsync(); // warm-up: JIT, connection pool, caches
            }

            var upstreamBefore = target.UpstreamRequests?.Invoke() ?? 0;
            long measuredCalls = 0;
            foreach (var clients in ClientLevels)
            {
                var throughput = new List<double>();
                var p50 = new List<double>();
                var p99 = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var (callsPerSecond, latencies) = await client.LoadAsync(clients, RunDuration);
                    throughput.Add(callsPerSecond);
                    measuredCalls += latencies.Count;
                    p50.Add(Measure.Percentile(latencies, 50));
                    p99.Add(Measure.Percentile(latencies, 99));
                }

                var suffix = $"{target.Tool}, {clients} client{(clients == 1 ? "" : "s")}";
                rows.Add(new Measurement(name, Who.Connectors, "calls/s, " + suffix, "calls/s", throughput, client.ReplyBytes, HigherIsBetter: true));
                rows.Add(new Measurement(name, Who.Connectors, "p50 latency, " + suffix, "ms", p50));
                rows.Add(new Measurement(name, Who.Connectors, "p99 latency, " + suffix, "ms", p99));
            }

            if (target.UpstreamRequests is { } upstream)
            {
                // What each call cost the API behind the server once warm (the emulator counts every request, 304s included).
                rows.Add(new Measurement(name, Who.Connectors, $"upstream calls per {target.Tool}, all levels", "calls", [(double)(upstream() - upstreamBefore) / measuredCalls]));
            }

            rows.Add(new Measurement(name, Who.Connectors, "peak RSS over HTTP (after 50 clients)", "MB", [Measure.ReadPeakRssMb(process.Id)]));
            CheckAudit(name, audit, key, stderr);
            return rows;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Audit was on for real (lines were written) and the key never reached a log.</summary>
    private static void CheckAudit(string name, string audit, string key, StringBuilder stderr)
    {
        var lines = File.Exists(audit) ? File.ReadLines(audit).Count() : 0;
        string logs;
        lock (stderr)
        {
            logs = stderr.ToString();
        }

        if (lines == 0 || logs.Contains(key, StringComparison.Ordinal) || (File.Exists(audit) && File.ReadAllText(audit).Contains(key, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{name}: audit lines {lines}, or the API key appeared in a log");
        }

        Console.Error.WriteLine($"[bench] http {name}: audit on ({lines} lines in the current file, which rotates)");
    }

    private static async Task WaitHealthyAsync(HttpClient http, int port, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode} before it was healthy");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the server was not healthy within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The read tool measured, its arguments, the server's own arguments and environment, and the emulator's request count if any.</summary>
    private sealed record HttpTarget(string Tool, object ToolArguments, IReadOnlyList<string> ServerArguments, IReadOnlyDictionary<string, string> Environment)
    {
        public Func<long>? UpstreamRequests { get; init; }
    }
}
