using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Connectors.Hosting.Telemetry;

/// <summary>
/// Traces and metrics named after the OpenTelemetry MCP semantic conventions. Nothing is exported unless an
/// OTLP endpoint is configured; a listener (dotnet-counters, a test) can still observe them.
/// </summary>
public static class ConnectorTelemetry
{
    public const string SourceName = "Connectors";

    public static readonly ActivitySource ActivitySource = new(SourceName, typeof(ConnectorTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(SourceName, typeof(ConnectorTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "mcp.server.operation.duration",
        unit: "s",
        description: "Duration of MCP requests handled by the server.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60] });

    public const string MethodNameTag = "mcp.method.name";
    public const string ToolNameTag = "gen_ai.tool.name";
    public const string OperationNameTag = "gen_ai.operation.name";
    public const string ErrorTypeTag = "error.type";
    public const string ProtocolVersionTag = "mcp.protocol.version";
    public const string RequestIdTag = "jsonrpc.request.id";
    public const string NetworkTransportTag = "network.transport";
}
