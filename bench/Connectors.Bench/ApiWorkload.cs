namespace Connectors.Bench;

/// <summary>
/// One tool call of a workload: what we call on our server and, when the reference server has a counterpart, what we
/// call on it. Both are measured under the same workload name so the report can pair them. <see cref="Spacing"/> is
/// the pause before each measured call, for calls an agent should not repeat faster (Slack takes about one post per
/// second per channel, and our server holds faster posts back): the figure is then the call's cost, not the pacing.
/// </summary>
internal sealed record ToolCase(string Workload, string Tool, object Arguments, string? ReferenceTool = null, object? ReferenceArguments = null, TimeSpan Spacing = default)
{
    public (string Tool, object Arguments)? For(Who who) =>
        who == Who.Connectors ? (Tool, Arguments) : ReferenceTool is null ? null : (ReferenceTool, ReferenceArguments!);
}

/// <summary>A server process to measure: who it is, its command line and the environment it needs (tokens, redirects).</summary>
internal sealed record ServerUnderTest(Who Who, IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment);

/// <summary>What the emulator counts: every request it answered, and those answered free (GitHub's 304s), if it tells them apart.</summary>
internal sealed record UpstreamCounter(Func<long> Requests, Func<long>? FreeRequests = null);

/// <summary>
/// The measurements shared by the GitHub and Slack workloads (issue 10): ready time over fresh processes, tools/list
/// bytes, latency, reply bytes and upstream calls of each tool call, peak RSS, and a short session (each run in a fresh
/// process) with its total upstream calls and reply bytes.
/// </summary>
internal static class ApiWorkload
{
    /// <summary>Parses <c>&lt;runs&gt; &lt;results-dir&gt; -- &lt;ours…&gt; [-- &lt;reference…&gt;]</c>.</summary>
    private static (int Runs, string ResultsDirectory, string[] Ours, string[]? Reference)? ParseArguments(string[] args)
    {
        var separators = args.Select((a, i) => (a, i)).Where(x => x.a == "--").Select(x => x.i).ToList();
        if (separators.Count == 0 || separators[0] != 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var runs) || runs < 1)
        {
            return null;
        }

        var ours = args[(separators[0] + 1)..(separators.Count > 1 ? separators[1] : args.Length)];
        var reference = separators.Count > 1 ? args[(separators[1] + 1)..] : null;
        return ours.Length == 0 || reference is { Length: 0 } ? null : (runs, args[1], ours, reference);
    }

    /// <summary>
    /// Runs a workload from its command line (<c>&lt;runs&gt; &lt;results-dir&gt; -- &lt;ours…&gt; [-- &lt;reference…&gt;]</c>):
    /// our server, then the reference server when given, and writes bench/results/&lt;serverName&gt;.{csv,md}.
    /// <paramref name="afterEach"/> runs after each server's measurements (to report and reset emulator counters).
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args, string serverName, string title, Func<IReadOnlyList<string>, ServerUnderTest> ours, Func<IReadOnlyList<string>, ServerUnderTest> reference,
        IReadOnlyList<ToolCase> cases, IReadOnlyList<ToolCase> session, UpstreamCounter upstream, Action<Who>? afterEach = null)
    {
        if (ParseArguments(args) is not var (runs, resultsDirectory, ourCommand, referenceCommand))
        {
            return 2;
        }

        var rows = await MeasureAsync(serverName, ours(ourCommand), runs, cases, session, upstream);
        afterEach?.Invoke(Who.Connectors);
        if (referenceCommand is not null)
        {
            rows.AddRange(await MeasureAsync(serverName, reference(referenceCommand), runs, cases, session, upstream));
            afterEach?.Invoke(Who.Reference);
        }

        ResultFile.Write(resultsDirectory, serverName, title, rows);
        Console.Write(File.ReadAllText(Path.Combine(resultsDirectory, serverName + ".md")));
        return 0;
    }

    private static async Task<List<Measurement>> MeasureAsync(
        string serverName, ServerUnderTest target, int runs, IReadOnlyList<ToolCase> cases, IReadOnlyList<ToolCase> session, UpstreamCounter upstream)
    {
        var who = target.Who;
        Console.Error.WriteLine($"[bench] {serverName} {who}: {string.Join(' ', target.Command)}");
        var rows = new List<Measurement>();
        Measurement Row(string workload, string unit, IReadOnlyList<double> samples, long replyBytes = 0) =>
            new(serverName, who, workload, unit, samples, replyBytes);

        var ready = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (fresh, readyMs) = await StdioServer.StartAsync(target.Command, target.Environment);
            await fresh.DisposeAsync();
            ready.Add(readyMs);
        }

        rows.Add(Row("ready (initialize answered)", "ms", ready));

        var (server, _) = await StdioServer.StartAsync(target.Command, target.Environment);
        await using (server)
        {
            rows.Add(Row("tools/list", "bytes", [await server.ListToolsBytesAsync()]));
            foreach (var toolCase in cases)
            {
                if (toolCase.For(who) is not var (tool, arguments))
                {
                    continue;
                }

                // Warm-up (JIT, connection pool, name caches). A reference server that cannot do this call against the
                // emulator is reported and left out of this case; our server failing stops the run.
                try
                {
                    await CallAsync(server, who, tool, arguments);
                }
                catch (InvalidOperationException failure) when (who == Who.Reference)
                {
                    Console.Error.WriteLine($"[bench] {serverName} reference {tool}: left out, it failed: {failure.Message[..Math.Min(300, failure.Message.Length)]}");
                    continue;
                }

                var times = new List<double>();
                var calls = new List<double>();
                long bytes = 0;
                for (var run = 0; run < runs; run++)
                {
                    await Task.Delay(toolCase.Spacing);
                    var before = upstream.Requests();
                    var (size, ms) = await CallAsync(server, who, tool, arguments);
                    calls.Add(upstream.Requests() - before);
                    times.Add(ms);
                    bytes = size;
                }

                rows.Add(Row(toolCase.Workload, "ms", times, bytes));
                rows.Add(Row(toolCase.Workload + " upstream calls", "calls", calls));
            }

            rows.Add(Row("peak RSS", "MB", [server.PeakRssMb()]));
        }

        if (session.All(c => c.For(who) is not null))
        {
            rows.AddRange(await SessionAsync(target, runs, session, upstream, Row));
        }

        return rows;
    }

    /// <summary>The session script, each run in a fresh process (cold caches, as an agent's session starts).</summary>
    private static async Task<List<Measurement>> SessionAsync(
        ServerUnderTest target, int runs, IReadOnlyList<ToolCase> session, UpstreamCounter upstream, Func<string, string, IReadOnlyList<double>, long, Measurement> row)
    {
        var calls = new List<double>();
        var free = new List<double>();
        var bytes = new List<double>();
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (server, _) = await StdioServer.StartAsync(target.Command, target.Environment);
            await using (server)
            {
                var (requests, answeredFree) = (upstream.Requests(), upstream.FreeRequests?.Invoke() ?? 0);
                double total = 0, elapsed = 0;
                foreach (var step in session)
                {
                    var (tool, arguments) = step.For(target.Who)!.Value;
                    var (size, ms) = await CallAsync(server, target.Who, tool, arguments);
                    total += size;
                    elapsed += ms;
                }

                calls.Add(upstream.Requests() - requests);
                free.Add((upstream.FreeRequests?.Invoke() ?? 0) - answeredFree);
                bytes.Add(total);
                times.Add(elapsed);
            }
        }

        var name = $"session of {session.Count} calls";
        var rows = new List<Measurement>
        {
            row(name, "ms", times, 0),
            row(name + " upstream calls", "calls", calls, 0),
            row(name + " reply bytes", "bytes", bytes, 0),
        };
        if (upstream.FreeRequests is not null)
        {
            // More of the calls answered free (a 304 costs no rate limit) is better.
            rows.Add(row(name + " upstream calls answered 304", "calls", free, 0) with { HigherIsBetter = true });
        }

        return rows;
    }

    /// <summary>A tool call that must succeed: an error result (or a reference server's error passed through as text) stops the run.</summary>
    private static async Task<(int Bytes, double Ms)> CallAsync(StdioServer server, Who who, string tool, object arguments)
    {
        var (bytes, ms, isError) = await server.CallToolAsync(tool, arguments);
        // The Slack reference server returns Slack's answer as text, failures included ({"ok":false,...}), and its own
        // failures as {"error":...} text without isError.
        if (isError || server.LastResponse.Contains("\\\"ok\\\":false", StringComparison.Ordinal) || server.LastResponse.Contains("\"text\":\"{\\\"error\\\":", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{who} {tool} failed: {server.LastResponse[..Math.Min(500, server.LastResponse.Length)]}");
        }

        return (bytes, ms);
    }
}
