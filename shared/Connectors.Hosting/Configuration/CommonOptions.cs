namespace Connectors.Hosting.Configuration;

/// <summary>The settings every Connectors server accepts.</summary>
public static class CommonOptions
{
    public static readonly ConnectorOption<string> Transport = ConnectorOption.Choice(
        "--transport", "CONNECTORS_TRANSPORT", "transport", "How clients connect: stdio (one client, IDE) or http (Streamable HTTP).", "stdio", "stdio", "http");

    public static readonly ConnectorOption<IReadOnlyList<string>> Urls = ConnectorOption.List(
        "--urls", "CONNECTORS_URLS", "urls", "Addresses to listen on with --transport http (default http://127.0.0.1:8080; port 0 picks a free one).").Formerly(configKey: "http.urls");

    public static readonly ConnectorOption<bool> ReadOnly = ConnectorOption.Flag(
        "--read-only", "CONNECTORS_READ_ONLY", "readOnly", "Offer only tools annotated read-only.");

    public static readonly ConnectorOption<string> Config = ConnectorOption.Text(
        "--config", "CONNECTORS_CONFIG", "", "JSON config file; its keys are the options' names in camelCase, a server's own under its name (e.g. {\"readOnly\": true, \"denyTools\": [\"x\"]}).");

    public static readonly ConnectorOption<string> LogLevel = ConnectorOption.Choice(
        "--log-level", "CONNECTORS_LOG_LEVEL", "logLevel", "Minimum level of the JSON logs written to stderr.", "information",
        "trace", "debug", "information", "warning", "error", "critical", "none");

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowTools = ConnectorOption.List(
        "--allow-tools", "CONNECTORS_ALLOW_TOOLS", "allowTools", "Offer only these tools (names, repeatable or comma-separated).").Formerly("--tools-allow", "CONNECTORS_TOOLS_ALLOW", "tools.allow");

    public static readonly ConnectorOption<IReadOnlyList<string>> DenyTools = ConnectorOption.List(
        "--deny-tools", "CONNECTORS_DENY_TOOLS", "denyTools", "Never offer these tools (names, repeatable or comma-separated).").Formerly("--tools-deny", "CONNECTORS_TOOLS_DENY", "tools.deny");

    public static readonly ConnectorOption<int> MaxOutputBytes = ConnectorOption.WholeNumber(
        "--max-output-bytes", "CONNECTORS_MAX_OUTPUT_BYTES", "maxOutputBytes", "Size budget of one tool result, in bytes; longer results are cut and say how to continue.",
        64 * 1024, 1024, 16 * 1024 * 1024).Formerly(configKey: "limits.maxOutputBytes");

    public static readonly ConnectorOption<int> ToolTimeoutSeconds = ConnectorOption.WholeNumber(
        "--tool-timeout", "CONNECTORS_TOOL_TIMEOUT", "toolTimeout", "Deadline of one tool call, in seconds.", 60, 1, 3600).Formerly(configKey: "limits.toolTimeoutSeconds");

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowHosts = ConnectorOption.List(
        "--allow-hosts", "CONNECTORS_ALLOW_HOSTS", "allowHosts", "Host header values accepted besides loopback (DNS-rebinding protection), e.g. mcp.example.com.").Formerly("--allowed-hosts", "CONNECTORS_ALLOWED_HOSTS", "http.allowedHosts");

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowOrigins = ConnectorOption.List(
        "--allow-origins", "CONNECTORS_ALLOW_ORIGINS", "allowOrigins", "Origin header values accepted besides loopback origins, e.g. https://app.example.com.").Formerly("--allowed-origins", "CONNECTORS_ALLOWED_ORIGINS", "http.allowedOrigins");

    public static readonly ConnectorOption<int> MaxRequestBytes = ConnectorOption.WholeNumber(
        "--max-request-bytes", "CONNECTORS_MAX_REQUEST_BYTES", "maxRequestBytes", "Largest accepted request (an HTTP body or a stdio message), in bytes.", 1024 * 1024, 1024, 64 * 1024 * 1024).Formerly(configKey: "http.maxRequestBytes");

    public static readonly ConnectorOption<int> RequestTimeoutSeconds = ConnectorOption.WholeNumber(
        "--request-timeout", "CONNECTORS_REQUEST_TIMEOUT", "requestTimeout", "Deadline of one HTTP request, in seconds.", 120, 1, 3600).Formerly(configKey: "http.requestTimeoutSeconds");

    public static readonly ConnectorOption<int> ShutdownTimeoutSeconds = ConnectorOption.WholeNumber(
        "--shutdown-timeout", "CONNECTORS_SHUTDOWN_TIMEOUT", "shutdownTimeout", "On shutdown, how long in-flight calls may finish before they are cancelled, in seconds.", 10, 1, 300).Formerly(configKey: "http.shutdownTimeoutSeconds");

    public static readonly ConnectorOption<string> OtlpEndpoint = ConnectorOption.Url(
        "--otlp-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "otlpEndpoint", "Send traces and metrics to this OTLP endpoint (off when empty); the standard OTEL_* variables (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, …) apply.").Formerly(configKey: "telemetry.otlpEndpoint");

    /// <summary>The shared options by topic, in the order --help shows them after the server's own.</summary>
    internal static IReadOnlyList<(string Topic, IReadOnlyList<ConnectorOption> Options)> Topics { get; } =
    [
        ("General", [Config, ReadOnly, LogLevel]),
        ("Tools", [AllowTools, DenyTools, MaxOutputBytes, ToolTimeoutSeconds]),
        ("Transport", [Transport, Urls, AllowHosts, AllowOrigins, MaxRequestBytes, RequestTimeoutSeconds, ShutdownTimeoutSeconds]),
        ("Authentication (HTTP)", Security.SecurityOptions.Authentication),
        ("Rate limits (HTTP)", Security.SecurityOptions.RateLimits),
        ("Audit and telemetry", [.. Security.SecurityOptions.Audit, OtlpEndpoint]),
        ("Replicas (Redis)", Redis.RedisOptions.All),
    ];

    internal static IReadOnlyList<ConnectorOption> All { get; } = [.. Topics.SelectMany(t => t.Options)];
}
