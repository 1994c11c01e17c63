using System.Net;
using System.Net.Sockets;

namespace Connectors.Bench;

/// <summary>
/// Start-up of the filesystem server as an IDE starts it, beside the Node reference server and the hello-world floor in
/// the same run, runs interleaved so that a busy moment of the machine falls on all three alike: time from process start
/// to an answered <c>initialize</c> over stdio, idle RSS after it, p50/p95 of sequential <c>read_text_file</c> calls on one
/// process; and ours over Streamable HTTP, from process start to the first answered <c>tools/list</c>.
/// Writes bench/results/startup.{csv,md}.
/// </summary>
internal static class StartupWorkload
{
    private const string Server = "filesystem";
    private const string Ready = "stdio ready (start to initialize answered)";
    private const string IdleRss = "idle RSS after initialize";
    private const string HttpReady = "HTTP ready (start to first tools/list answered)";

    /// <summary>startup &lt;runs&gt; &lt;calls&gt; &lt;root&gt; &lt;results-dir&gt; &lt;hello-world&gt; -- &lt;ours...&gt; [-- &lt;reference...&gt;]</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var commands = ServerCommands.Parse(args, 5);
        if (commands is null)
        {
            return 2;
        }

        var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
        var calls = int.Parse(args[1], CultureInfo.InvariantCulture);
        var root = Path.GetFullPath(args[2]);
        var resultsDirectory = args[3];
        var hello = args[4];
        var file = Path.Combine(root, "sample.txt");
        await File.WriteAllLinesAsync(file, Enumerable.Range(1, 200).Select(i => $"a line of text, number {i}"));

        string[] ours = [.. commands.Ours, "--roots", root];
        // A build without HTTP (eng/publish.sh --stdio-only) is measured over stdio; BENCH_HTTP_SERVER names the full one.
        string[] httpCommand = Environment.GetEnvironmentVariable("BENCH_HTTP_SERVER") is { Length: > 0 } full ? [full] : commands.Ours;
        string[]? reference = commands.Reference is null ? null : [.. commands.Reference, root];

        // One unmeasured start of each, so that every measured one finds its files in the page cache.
        await (await StdioServer.StartAsync(ours)).Server.DisposeAsync();
        if (reference is not null)
        {
            await (await StdioServer.StartAsync(reference)).Server.DisposeAsync();
        }

        var helloMs = new List<double>();
        var ready = new Dictionary<Who, List<double>> { [Who.Connectors] = [], [Who.Reference] = [] };
        var httpMs = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            helloMs.AddRange(Floors.Process(Server, Floors.HelloWorld, 1, hello).Samples);
            ready[Who.Connectors].Add(await ReadyMsAsync(ours));
            if (reference is not null)
            {
                ready[Who.Reference].Add(await ReadyMsAsync(reference));
            }

            httpMs.Add(await HttpReadyMsAsync(httpCommand, root));
        }

        var rows = new List<Measurement> { new(Server, Who.Floor, Floors.HelloWorld, "ms", helloMs) };
        foreach (var (who, command) in new[] { (Who.Connectors, ours), (Who.Reference, reference) })
        {
            if (command is null)
            {
                continue;
            }

            rows.Add(new Measurement(Server, who, Ready, "ms", ready[who], Baseline: who == Who.Connectors ? Floors.HelloWorld : null));
            rows.AddRange(await SteadyStateAsync(who, command, file, calls));
        }

        rows.Add(new Measurement(Server, Who.Connectors, HttpReady, "ms", httpMs));
        ResultFile.WriteAndShow(resultsDirectory, "startup", "Start-up: filesystem server over stdio and HTTP", rows, Ratios(rows));
        return 0;
    }

    private static async Task<double> ReadyMsAsync(string[] command)
    {
        var (server, ms) = await StdioServer.StartAsync(command);
        await server.DisposeAsync();
        return ms;
    }

    /// <summary>Idle RSS one second after initialize, then the call latency after 20 warm-up calls.</summary>
    private static async Task<List<Measurement>> SteadyStateAsync(Who who, string[] command, string file, int calls)
    {
        var (server, _) = await StdioServer.StartAsync(command);
        await using (server)
        {
            await Task.Delay(1000);
            var idle = server.RssMb();
            var latencies = new List<double>();
            for (var i = 0; i < calls + 20; i++)
            {
                var (_, ms, isError) = await server.CallToolAsync("read_text_file", new { path = file });
                if (isError)
                {
                    throw new InvalidOperationException($"read_text_file failed: {server.LastResponse}");
                }

                if (i >= 20)
                {
                    latencies.Add(ms);
                }
            }

            return
            [
                new Measurement(Server, who, IdleRss, "MB", [idle]),
                new Measurement(Server, who, $"read_text_file p50, {calls} calls", "ms", [Measure.Percentile(latencies, 50)]),
                new Measurement(Server, who, $"read_text_file p95, {calls} calls", "ms", [Measure.Percentile(latencies, 95)]),
            ];
        }
    }

    /// <summary>From process start to the first answered tools/list, asked every millisecond until the port answers.</summary>
    private static async Task<double> HttpReadyMsAsync(string[] ours, string root)
    {
        var port = FreePort();
        var startInfo = new ProcessStartInfo(ours[0]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in ours.Skip(1).Concat(["--roots", root, "--transport", "http", "--urls", $"http://127.0.0.1:{port}", "--auth", "none"]))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["CONNECTORS_LOG_LEVEL"] = "warning";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var url = new Uri($"http://127.0.0.1:{port}/mcp");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url)
                    {
                        Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
                    };
                    request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body.Contains("\"tools\"", StringComparison.Ordinal))
                    {
                        return clock.Elapsed.TotalMilliseconds;
                    }

                    throw new InvalidOperationException($"tools/list answered {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
                }
                catch (HttpRequestException) when (!process.HasExited)
                {
                    await Task.Delay(1);
                }
            }

            throw new TimeoutException("the HTTP server did not answer tools/list within 30 s");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The figures the start-up goals are stated in, under the table.</summary>
    private static string Ratios(List<Measurement> rows)
    {
        double Median(Who who, string workload) => rows.SingleOrDefault(r => r.Who == who && r.Workload == workload)?.Median ?? double.NaN;
        var notes = new StringBuilder();
        var ours = Median(Who.Connectors, Ready);
        notes.Append(CultureInfo.InvariantCulture, $"stdio ready: {ours / Median(Who.Floor, Floors.HelloWorld):0.0}× the hello-world floor");
        if (!double.IsNaN(Median(Who.Reference, Ready)))
        {
            notes.Append(CultureInfo.InvariantCulture, $", {ours / Median(Who.Reference, Ready):0.00}× the reference; ")
                .Append(CultureInfo.InvariantCulture, $"idle RSS {Median(Who.Connectors, IdleRss) / Median(Who.Reference, IdleRss):0.00}× the reference");
        }

        return notes.Append(CultureInfo.InvariantCulture, $". HTTP ready (median): {Median(Who.Connectors, HttpReady):0} ms.").ToString();
    }
}
