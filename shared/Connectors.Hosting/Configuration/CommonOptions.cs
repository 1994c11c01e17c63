namespace Connectors.Hosting.Configuration;

/// <summary>The settings every Connectors server accepts.</summary>
public static class CommonOptions
{
    public static readonly ConnectorOption<string> Transport = ConnectorOptions.Choice(
        "--transport", "CONNECTORS_TRANSPORT", "transport", "How clients connect: stdio (one client, IDE) or http (Streamable HTTP).", "stdio", "stdio", "http");

    public static readonly ConnectorOption<IReadOnlyList<string>> Urls = ConnectorOptions.List(
        "--urls", "CONNECTORS_URLS", "http.urls", "Addresses to listen on with --transport http (default http://127.0.0.1:8080; port 0 picks a free one).");

    public static readonly ConnectorOption<bool> ReadOnly = ConnectorOptions.Flag(
        "--read-only", "CONNECTORS_READ_ONLY", "readOnly", "Offer only tools annotated read-only.");

    public static readonly ConnectorOption<string> Config = ConnectorOptions.Text(
        "--config", "CONNECTORS_CONFIG", "", "JSON config file; its keys mirror these options (e.g. {\"readOnly\": true, \"tools\": {\"deny\": [\"x\"]}}).");

    public static readonly ConnectorOption<string> LogLevel = ConnectorOptions.Choice(
        "--log-level", "CONNECTORS_LOG_LEVEL", "logLevel", "Minimum level of the JSON logs written to stderr.", "information",
        "trace", "debug", "information", "warning", "error", "critical", "none");

    public static readonly ConnectorOption<IReadOnlyList<string>> ToolsAllow = ConnectorOptions.List(
        "--tools-allow", "CONNECTORS_TOOLS_ALLOW", "tools.allow", "Offer only these tools (names, repeatable or comma-separated).");

    public static readonly ConnectorOption<IReadOnlyList<string>> ToolsDeny = ConnectorOptions.List(
        "--tools-deny", "CONNECTORS_TOOLS_DENY", "tools.deny", "Never offer these tools (names, repeatable or comma-separated).");

    public static readonly ConnectorOption<int> MaxOutputBytes = ConnectorOptions.WholeNumber(
        "--max-output-bytes", "CONNECTORS_MAX_OUTPUT_BYTES", "limits.maxOutputBytes", "Size budget of one tool result, in bytes; longer results are cut and say how to continue.",
        64 * 1024, 1024, 16 * 1024 * 1024);

    public static readonly ConnectorOption<int> ToolTimeoutSeconds = ConnectorOptions.WholeNumber(
        "--tool-timeout", "CONNECTORS_TOOL_TIMEOUT", "limits.toolTimeoutSeconds", "Deadline of one tool call, in seconds.", 60, 1, 3600);

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowedHosts = ConnectorOptions.List(
        "--allowed-hosts", "CONNECTORS_ALLOWED_HOSTS", "http.allowedHosts", "Host header values accepted besides loopback (DNS-rebinding protection), e.g. mcp.example.com.");

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowedOrigins = ConnectorOptions.List(
        "--allowed-origins", "CONNECTORS_ALLOWED_ORIGINS", "http.allowedOrigins", "Origin header values accepted besides loopback origins, e.g. https://app.example.com.");

    public static readonly ConnectorOption<int> MaxRequestBytes = ConnectorOptions.WholeNumber(
        "--max-request-bytes", "CONNECTORS_MAX_REQUEST_BYTES", "http.maxRequestBytes", "Largest accepted request (an HTTP body or a stdio message), in bytes.", 1024 * 1024, 1024, 64 * 1024 * 1024);

    public static readonly ConnectorOption<int> RequestTimeoutSeconds = ConnectorOptions.WholeNumber(
        "--request-timeout", "CONNECTORS_REQUEST_TIMEOUT", "http.requestTimeoutSeconds", "Deadline of one HTTP request, in seconds.", 120, 1, 3600);

    public static readonly ConnectorOption<int> ShutdownTimeoutSeconds = ConnectorOptions.WholeNumber(
        "--shutdown-timeout", "CONNECTORS_SHUTDOWN_TIMEOUT", "http.shutdownTimeoutSeconds", "On shutdown, how long in-flight calls may finish before they are cancelled, in seconds.", 10, 1, 300);

    public static readonly ConnectorOption<string> OtlpEndpoint = ConnectorOptions.Url(
        "--otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "telemetry.otlpEndpoint", "Send traces and metrics to this OTLP endpoint (off when empty); the standard OTEL_* variables (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, …) apply.");

    internal static IReadOnlyList<ConnectorOption> All { get; } =
    [
        Transport, Urls, ReadOnly, Config, LogLevel, ToolsAllow, ToolsDeny, MaxOutputBytes, ToolTimeoutSeconds,
        AllowedHosts, AllowedOrigins, MaxRequestBytes, RequestTimeoutSeconds, ShutdownTimeoutSeconds, OtlpEndpoint,
        .. Security.SecurityOptions.All, .. Redis.RedisOptions.All,
    ];
}
