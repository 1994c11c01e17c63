using System.Security.Cryptography;
using Connectors.Hosting.Telemetry;

namespace Connectors.Hosting.Tests;

/// <summary>Telemetry costs an IDE's stdio server nothing unless an OTLP endpoint is configured.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Without_an_otlp_endpoint_a_stdio_server_never_loads_opentelemetry_and_with_one_it_does()
    {
        // What a process has loaded is what it has mapped (/proc: Linux, where the suite runs).
        Assert.DoesNotContain("OpenTelemetry", await LoadedAfterOneCallAsync(""), StringComparison.Ordinal);
        Assert.Contains("/OpenTelemetry.dll", await LoadedAfterOneCallAsync("http://127.0.0.1:9"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_otlp_endpoint_option_exports_a_stdio_servers_failed_call_under_the_callers_trace_with_its_error_code()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var environment = collector.Environment;
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", ["--otlp-endpoint", collector.Endpoint], environment);

        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = await server.RequestAsync("call", "tools/call", new Dictionary<string, object?>
        {
            ["name"] = "fail_rate_limited",
            ["_meta"] = new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{callerSpanId}-01" },
        }, TimeSpan.FromSeconds(60));
        Assert.True(response.GetProperty("result").GetProperty("isError").GetBoolean());

        var spans = await collector.WaitForSpansAsync(all => all.Any(s => s.TraceId == traceId), TimeSpan.FromSeconds(30));
        var call = Assert.Single(spans, s => s.TraceId == traceId);
        Assert.Equal(("tools/call fail_rate_limited", OtlpSpanKind.Server, callerSpanId), (call.Name, call.Kind, call.ParentSpanId));
        Assert.Equal("tool_error", call.Attributes["error.type"]);
        Assert.Equal("rate_limited", call.Attributes[ConnectorTelemetry.ErrorCodeTag]);
        Assert.Equal(2, call.StatusCode);
        Assert.Equal("connectors-testserver", call.Resource["service.name"]);
    }

    private static async Task<string> LoadedAfterOneCallAsync(string otlpEndpoint)
    {
        await using var server = await RawStdioServer.StartInitializedAsync(
            "Connectors.Hosting.TestServer", [], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint });
        var response = await server.RequestAsync("call", "tools/call", new { name = "echo", arguments = new { text = "x" } }, TimeSpan.FromSeconds(60));
        Assert.True(response.TryGetProperty("result", out _), response.ToString());
        return await File.ReadAllTextAsync($"/proc/{server.ProcessId}/maps");
    }
}
