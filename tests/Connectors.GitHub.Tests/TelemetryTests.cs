using System.Security.Cryptography;
using Connectors.Hosting.Telemetry;

namespace Connectors.GitHub.Tests;

/// <summary>What an operator's collector receives from a real server process exporting OTLP/HTTP (protobuf).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task One_tool_call_over_http_is_one_trace_from_the_callers_span_through_tools_call_to_the_github_request()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var emulator = await GitHubEmulator.StartAsync();
        var environment = collector.Environment;
        environment["GITHUB_TOKEN"] = GitHubFixture.Token;
        environment["OTEL_SERVICE_NAME"] = "github-under-test";
        await using var server = await ServerProcess.StartHttpAsync("Connectors.GitHub", ["--api-url", emulator.Url.ToString()], environment);

        // The caller's own trace context, as a gateway or an instrumented client would send it.
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_me","arguments":{}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{callerSpanId}-01");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("mona", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var probe = await http.GetAsync(new Uri(server.BaseUrl, "/healthz"));

        var spans = await collector.WaitForSpansAsync(
            all => all.Count(s => s.TraceId == traceId) >= 3,
            TimeSpan.FromSeconds(30));
        var trace = spans.Where(s => s.TraceId == traceId).ToList();

        var incoming = Assert.Single(trace, s => s.Kind == OtlpSpanKind.Server && s.Attributes.ContainsKey("http.request.method"));
        Assert.Equal(callerSpanId, incoming.ParentSpanId);
        Assert.Equal("POST", incoming.Attributes["http.request.method"]);

        var call = Assert.Single(trace, s => s.Name == "tools/call get_me");
        Assert.Equal((ConnectorTelemetry.McpSourceName, OtlpSpanKind.Server), (call.Scope, call.Kind));
        Assert.Equal(incoming.SpanId, call.ParentSpanId);
        Assert.Equal("tools/call", call.Attributes["mcp.method.name"]);
        Assert.Equal("get_me", call.Attributes["gen_ai.tool.name"]);
        Assert.Equal("execute_tool", call.Attributes["gen_ai.operation.name"]);
        Assert.Equal("7", call.Attributes["jsonrpc.request.id"]);
        Assert.Equal("tcp", call.Attributes["network.transport"]);
        Assert.False(call.Attributes.ContainsKey("error.type"));
        Assert.Equal("github-under-test", call.Resource["service.name"]);

        var upstream = Assert.Single(trace, s => s.Kind == OtlpSpanKind.Client);
        Assert.Equal(call.SpanId, upstream.ParentSpanId);
        Assert.Equal("GET", upstream.Attributes["http.request.method"]);
        Assert.Equal(new Uri(emulator.Url, "user").ToString(), upstream.Attributes["url.full"]);
        Assert.Equal(200L, upstream.Attributes["http.response.status_code"]);

        // Probes are not traced; the GitHub token never reaches the collector.
        Assert.DoesNotContain(collector.Spans, s => s.Attributes.TryGetValue("url.path", out var path) && Equals(path, "/healthz"));
        Assert.DoesNotContain(collector.Spans, s => s.Attributes.Values.Any(v => v is string text && text.Contains(GitHubFixture.Token, StringComparison.Ordinal)));

        var metrics = await collector.WaitForMetricsAsync(
            all => all.Contains((ConnectorTelemetry.McpSourceName, "mcp.server.operation.duration")) &&
                   all.Any(m => m.Name == "http.client.request.duration") && all.Any(m => m.Name == "http.server.request.duration"),
            TimeSpan.FromSeconds(30));
        Assert.NotEmpty(metrics);
    }
}
