using System.Text.Json;
using Connectors.Hosting.Diagnostics;
using Connectors.Hosting.Logging;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.Hosting.Http;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/healthz</c> runs the checks tagged live (the process is up: none by default) and <c>/readyz</c> those tagged
    /// ready; 503 when one is unhealthy. GET and HEAD only, never cached, open to probes without credentials.
    /// </summary>
    public static IEndpointRouteBuilder MapConnectorHealth(this IEndpointRouteBuilder endpoints)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ConnectorHealth.Live),
            ResponseWriter = (context, report) => WriteAsync(context, report, report.Status == HealthStatus.Unhealthy ? "failed" : "ok", listChecks: report.Entries.Count > 0),
        }).WithMetadata(new HttpMethodMetadata(methods)).AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ConnectorHealth.Ready),
            ResponseWriter = (context, report) => WriteAsync(context, report, report.Status == HealthStatus.Unhealthy ? "not_ready" : "ready", listChecks: true),
        }).WithMetadata(new HttpMethodMetadata(methods)).AllowAnonymous();
        return endpoints;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report, string status, bool listChecks)
    {
        var redactor = context.RequestServices.GetService<SecretRedactor>();
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", status);
        if (listChecks)
        {
            writer.WriteStartArray("checks");
            foreach (var (name, entry) in report.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("status", entry.Status switch { HealthStatus.Healthy => "ok", HealthStatus.Degraded => "degraded", _ => "failed" });
                var detail = ConnectorHealth.Describe(entry);
                writer.WriteString("detail", redactor?.Redact(detail) ?? detail);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
