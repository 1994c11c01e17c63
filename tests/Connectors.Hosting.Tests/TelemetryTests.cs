using Connectors.Testing;

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

    private static async Task<string> LoadedAfterOneCallAsync(string otlpEndpoint)
    {
        await using var server = await RawStdioServer.StartInitializedAsync(
            "Connectors.Hosting.TestServer", [], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint });
        var response = await server.RequestAsync("call", "tools/call", new { name = "echo", arguments = new { text = "x" } }, TimeSpan.FromSeconds(60));
        Assert.True(response.TryGetProperty("result", out _), response.ToString());
        return await File.ReadAllTextAsync($"/proc/{server.ProcessId}/maps");
    }
}
