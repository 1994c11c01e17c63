using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting.Http;

public static class EndpointRouteBuilderExtensions
{
    /// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: every registered <see cref="IReadinessCheck"/> passes.</summary>
    public static IEndpointRouteBuilder MapConnectorHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (RequestDelegate)(context => WriteAsync(context, StatusCodes.Status200OK, writer => writer.WriteString("status", "ok"))));
        endpoints.MapGet("/readyz", (RequestDelegate)ReadyAsync);
        return endpoints;
    }


    private static async Task ReadyAsync(HttpContext context)
    {
        var checks = context.RequestServices.GetServices<IReadinessCheck>().ToList();
        var results = await Task.WhenAll(checks.Select(check => RunCheckAsync(check, context.RequestAborted)));
        var ready = results.All(r => r.Result.Ready);
        await WriteAsync(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, writer =>
        {
            writer.WriteString("status", ready ? "ready" : "not_ready");
            writer.WriteStartArray("checks");
            foreach (var (name, result) in results)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("status", result.Ready ? "ok" : "failed");
                writer.WriteString("detail", result.Detail);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<(string Name, ReadinessResult Result)> RunCheckAsync(IReadinessCheck check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return (check.Name, await check.CheckAsync(timeout.Token));
        }
        catch (OperationCanceledException)
        {
            return (check.Name, ReadinessResult.Failed("timed out after 5 s"));
        }
        catch (Exception ex)
        {
            // The exception text may carry secrets; its type is enough here, the log has the rest.
            return (check.Name, ReadinessResult.Failed($"check failed ({ex.GetType().Name})"));
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
