using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

// Usage: Connectors.Bench.Http <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]
// Measures one tool call over Streamable HTTP (JSON responses): p50/p99 of sequential calls after a warm-up, then
// calls/s sustained by <clients> concurrent clients for <seconds>.
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: Connectors.Bench.Http <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]");
    return 2;
}

var url = new Uri(args[0]);
var tool = args[1];
var calls = int.Parse(args[2], CultureInfo.InvariantCulture);
var clients = int.Parse(args[3], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[4], CultureInfo.InvariantCulture);
var token = args.Length > 5 ? args[5] : null;
var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 1 });

async Task CallAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    request.Headers.TryAddWithoutValidation("Accept", "application/json");
    if (token is not null)
    {
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
    }

    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK || text.Contains("\"isError\":true", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"call failed: {(int)response.StatusCode} {text}");
    }
}

for (var i = 0; i < 500; i++)
{
    await CallAsync();
}

var latencies = new double[calls];
for (var i = 0; i < calls; i++)
{
    var started = Stopwatch.GetTimestamp();
    await CallAsync();
    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];

var done = 0L;
var stop = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
{
    while (stop.Elapsed.TotalSeconds < seconds)
    {
        await CallAsync();
        Interlocked.Increment(ref done);
    }
}));
var elapsed = stop.Elapsed.TotalSeconds;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{tool}: p50 {Percentile(0.50):0.000} ms, p99 {Percentile(0.99):0.000} ms ({calls} sequential calls); {done / elapsed:0} calls/s with {clients} clients over {elapsed:0.0} s"));
return 0;
