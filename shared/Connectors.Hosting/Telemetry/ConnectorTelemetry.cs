using System.Collections;
using System.Runtime.CompilerServices;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Connectors.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry over OTLP when, and only when, an endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>--otlp-endpoint</c> or the config key <c>otlpEndpoint</c>): the MCP SDK's spans and metrics (named after the MCP semantic
/// conventions), HttpClient's, and ASP.NET Core's over HTTP; a server adds its own (Npgsql) with
/// <c>services.ConfigureOpenTelemetryTracerProvider</c>. Otherwise nothing is registered, so no source has a listener and
/// the OpenTelemetry assemblies are never loaded.
/// </summary>
public static class ConnectorTelemetry
{
    /// <summary>The MCP SDK's ActivitySource and Meter (spans <c>{mcp.method.name} {target}</c>, <c>mcp.server.operation.duration</c>).</summary>
    public const string McpSourceName = "Experimental.ModelContextProtocol";

    /// <summary>
    /// Set on the SDK's <c>tools/call</c> span when a call fails: the stable error code (<c>rate_limited</c>, <c>timeout</c>…)
    /// where the convention's <c>error.type</c> says only <c>tool_error</c>.
    /// </summary>
    public const string ErrorCodeTag = "connectors.error.code";

    private const string EnvironmentPrefix = "OTEL_";

    public static bool IsExportConfigured(ConnectorSettings settings) => !string.IsNullOrWhiteSpace(settings.Get(CommonOptions.OtlpEndpoint));

    /// <summary>
    /// The standard <c>OTEL_*</c> variables (protocol, headers, service name, batch delays…) as configuration keys, with the
    /// endpoint as resolved from our own option sources. Empty when export is off.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, string?>> Configuration(ConnectorSettings settings)
    {
        if (!IsExportConfigured(settings))
        {
            return [];
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            {
                values[name] = variable.Value as string;
            }
        }

        values["OTEL_EXPORTER_OTLP_ENDPOINT"] = settings.Get(CommonOptions.OtlpEndpoint);
        return values;
    }

    /// <summary>Registers export when configured; <paramref name="aspNetCore"/> adds Kestrel's request spans and metrics.</summary>
    internal static IServiceCollection AddConnectorTelemetry(this IServiceCollection services, ConnectorServer server, ConnectorSettings settings, bool aspNetCore)
    {
        if (IsExportConfigured(settings))
        {
            AddExport(services, server, settings, aspNetCore);
        }

        return services;
    }

    /// <summary>
    /// Builds the providers, which start listening. The HTTP host's generic host does this itself; the stdio host has none.
    /// </summary>
    internal static void StartWithoutHost(IServiceProvider services, ConnectorSettings settings)
    {
        if (IsExportConfigured(settings))
        {
            ResolveProviders(services);
        }
    }

    // Separate methods so the OpenTelemetry assemblies load only when export is on.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddExport(IServiceCollection services, ConnectorServer server, ConnectorSettings settings, bool aspNetCore)
    {
        // Where the host has no configuration (stdio), the OpenTelemetry options read the same values from this one.
        services.TryAddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(Configuration(settings)).Build());
        services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the server's own name.
            .ConfigureResource(resource => resource.AddService(server.Name, serviceVersion: server.Version).AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                tracing.AddSource(McpSourceName).AddHttpClientInstrumentation();
                if (aspNetCore && HostingFeatures.IsHttpSupported)
                {
                    AddAspNetCore(tracing);
                }

                tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                // "Polly": the GitHub and Slack clients' retries, circuit-breaker transitions and attempt durations.
                metrics.AddMeter(McpSourceName, "Polly").AddHttpClientInstrumentation();
                if (aspNetCore && HostingFeatures.IsHttpSupported)
                {
                    AddAspNetCore(metrics);
                }

                metrics.AddOtlpExporter();
            });
    }

    // Separate methods so the stdio host never loads the ASP.NET Core instrumentation.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddAspNetCore(TracerProviderBuilder tracing) =>
        // Probes every few seconds would bury the calls.
        tracing.AddAspNetCoreInstrumentation(options => options.Filter = context =>
            !context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal) &&
            !context.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddAspNetCore(MeterProviderBuilder metrics) => metrics.AddAspNetCoreInstrumentation();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ResolveProviders(IServiceProvider services)
    {
        _ = services.GetService<TracerProvider>();
        _ = services.GetService<MeterProvider>();
    }
}
