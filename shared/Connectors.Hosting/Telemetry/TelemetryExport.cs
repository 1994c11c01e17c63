using Connectors.Hosting.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Connectors.Hosting.Telemetry;

/// <summary>Exports traces and metrics over OTLP when, and only when, an endpoint is configured.</summary>
internal static class TelemetryExport
{
    public static IDisposable? StartIfConfigured(ConnectorSettings settings, string serviceName)
    {
        var endpoint = settings.Get(CommonOptions.OtlpEndpoint);
        return string.IsNullOrWhiteSpace(endpoint) ? null : Start(new Uri(endpoint), serviceName);
    }

    // Separate method so the OpenTelemetry assemblies load only when export is on.
    private static CompositeDisposable Start(Uri endpoint, string serviceName)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(ConnectorTelemetry.SourceName)
            .AddOtlpExporter(o => o.Endpoint = endpoint)
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(ConnectorTelemetry.SourceName)
            .AddOtlpExporter(o => o.Endpoint = endpoint)
            .Build();
        return new CompositeDisposable(tracing, metrics);
    }

    private sealed class CompositeDisposable(params IDisposable?[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part?.Dispose();
            }
        }
    }
}
