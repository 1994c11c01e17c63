using System.Collections.Concurrent;
using System.Net;

namespace Connectors.Bench;

/// <summary>Stateless Streamable HTTP tool calls with JSON responses, as a deployed client makes them.</summary>
internal sealed class McpHttpClient(HttpClient http, Uri url, string? key, string tool, object arguments)
{
    private readonly string _body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method = "tools/call", @params = new { name = tool, arguments } });

    public long ReplyBytes { get; private set; }

    public async Task CallAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(_body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || text.Contains("\"isError\":true", StringComparison.Ordinal) || !text.Contains("\"result\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{tool} failed: {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
        }

        ReplyBytes = Encoding.UTF8.GetByteCount(text);
    }

    /// <summary>Calls from <paramref name="clients"/> concurrent loops for <paramref name="duration"/>: calls/s and every call's latency.</summary>
    public async Task<(double CallsPerSecond, List<double> Latencies)> LoadAsync(int clients, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                await CallAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        return (latencies.Count / clock.Elapsed.TotalSeconds, [.. latencies]);
    }
}
