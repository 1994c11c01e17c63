namespace Connectors.Bench;

/// <summary>
/// The samples of one server (ours or the reference) across runs, by workload in the order first measured; each
/// workload becomes one <see cref="Measurement"/> (median, min and max over its samples).
/// </summary>
internal sealed class SampleSet(string server, Who who)
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (string Unit, List<double> Samples, long ReplyBytes, string? Baseline)> _byWorkload = [];

    /// <summary>
    /// Each run on a fresh process: ready time (against the hello-world floor), idle RSS, the workload, then peak RSS.
    /// </summary>
    public static async Task<List<Measurement>> OnFreshProcessesAsync(string server, Who who, string[] command, int runs, Func<StdioServer, SampleSet, Task> workload)
    {
        Console.Error.WriteLine($"[bench] {who}: {string.Join(' ', command)}");
        var samples = new SampleSet(server, who);
        for (var run = 0; run < runs; run++)
        {
            var (process, ready) = await StdioServer.StartAsync(command);
            await using (process)
            {
                samples.Add("ready", "ms", ready, baseline: Floors.HelloWorld);
                await samples.IdleRssAsync(process);
                await workload(process, samples);
                samples.Add("peak RSS", "MB", process.PeakRssMb());
            }
        }

        return samples.Rows();
    }

    public void Add(string workload, string unit, double value, long replyBytes = 0, string? baseline = null)
    {
        if (!_byWorkload.TryGetValue(workload, out var entry))
        {
            _order.Add(workload);
            entry = (unit, [], 0, baseline);
        }

        entry.Samples.Add(value);
        _byWorkload[workload] = entry with { ReplyBytes = Math.Max(entry.ReplyBytes, replyBytes) };
    }

    /// <summary>Resident memory once the freshly started server has been idle for a second.</summary>
    public async Task IdleRssAsync(StdioServer stdioServer)
    {
        await Task.Delay(1000);
        Add("idle RSS", "MB", stdioServer.RssMb());
    }

    /// <summary>
    /// One warm-up call (JIT, page cache, connection pool) unless told not to, then one measured call; an error answer
    /// stops the run.
    /// </summary>
    public Task<int> ToolAsync(StdioServer stdioServer, string workload, string tool, object arguments, string? baseline = null, bool warmUp = true) =>
        RequestAsync(stdioServer, workload, "tools/call", new { name = tool, arguments }, baseline, warmUp);

    /// <returns>The measured reply's size in bytes.</returns>
    public async Task<int> RequestAsync(StdioServer stdioServer, string workload, string method, object parameters, string? baseline = null, bool warmUp = true)
    {
        if (warmUp)
        {
            await stdioServer.RequestAsync(method, parameters);
        }

        var (bytes, ms, isError) = await stdioServer.RequestAsync(method, parameters);
        if (isError)
        {
            throw new InvalidOperationException($"{who} answered an error to '{workload}'");
        }

        Add(workload, "ms", ms, bytes, baseline);
        return bytes;
    }

    public List<Measurement> Rows() =>
        [.. _order.Select(w => _byWorkload[w]).Zip(_order, (e, w) => new Measurement(server, who, w, e.Unit, e.Samples, e.ReplyBytes, Baseline: e.Baseline))];
}

/// <summary>The server commands after the positional arguments: <c>-- &lt;ours...&gt; [-- &lt;reference...&gt;]</c>.</summary>
internal sealed record ServerCommands(string[] Ours, string[]? Reference)
{
    public static ServerCommands? Parse(string[] args, int positional)
    {
        var separators = args.Select((a, i) => (a, i)).Where(x => x.a == "--").Select(x => x.i).ToList();
        if (separators.Count == 0 || separators[0] != positional || separators[0] + 1 >= args.Length)
        {
            Console.Error.WriteLine($"expected {positional} arguments, then -- <our server command> [-- <reference server command>]");
            return null;
        }

        var ours = args[(separators[0] + 1)..(separators.Count > 1 ? separators[1] : args.Length)];
        var reference = separators.Count > 1 && separators[1] + 1 < args.Length ? args[(separators[1] + 1)..] : null;
        return new ServerCommands(ours, reference);
    }
}
