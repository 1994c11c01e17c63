namespace Connectors.Bench;

/// <summary>
/// One tool call on a running server over Streamable HTTP (eng/bench-http-auth.sh): p50/p99 of sequential calls after
/// 500 warm-up calls, then calls/s sustained by concurrent clients for a number of seconds. Prints one line.
/// </summary>
internal static class HttpOverhead
{
    /// <summary>
    /// Arguments: <c>&lt;mcp-url&gt; &lt;tool&gt; &lt;sequential-calls&gt; &lt;clients&gt; &lt;seconds&gt; [bearer-token|-] [arguments-json]</c>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 5 || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var calls)
            || !int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out var clients)
            || !int.TryParse(args[4], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return 2;
        }

        var tool = args[1];
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 1 });
        var token = args.Length > 5 && args[5] != "-" ? args[5] : null;
        object arguments = args.Length > 6 ? JsonDocument.Parse(args[6]).RootElement : new { };
        var client = new McpHttpClient(http, new Uri(args[0]), token, tool, arguments);
        for (var i = 0; i < 500; i++)
        {
            await client.CallAsync();
        }

        var latencies = new List<double>(calls);
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.CallAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var (callsPerSecond, _) = await client.LoadAsync(clients, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tool}: p50 {Measure.Percentile(latencies, 50):0.000} ms, p99 {Measure.Percentile(latencies, 99):0.000} ms ({calls} sequential calls); {callsPerSecond:0} calls/s with {clients} clients over {seconds} s"));
        return 0;
    }
}
