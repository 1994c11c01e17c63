using System.Diagnostics;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Telemetry;

/// <summary>A request filter that times one MCP method as a span and an <c>mcp.server.operation.duration</c> sample.</summary>
internal static class RequestTelemetry
{
    public static McpRequestFilter<TParams, TResult> Measure<TParams, TResult>(string method) =>
        next => async (context, cancellationToken) =>
        {
            using var activity = ConnectorTelemetry.ActivitySource.StartActivity(method, ActivityKind.Server);
            activity?.SetTag(ConnectorTelemetry.MethodNameTag, method);
            var started = Stopwatch.GetTimestamp();
            string? errorType = null;
            try
            {
                return await next(context, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                errorType = "cancelled";
                throw;
            }
            catch (McpProtocolException ex)
            {
                errorType = ex.ErrorCode.ToString();
                throw;
            }
            catch (Exception ex)
            {
                errorType = ex.GetType().Name;
                throw;
            }
            finally
            {
                var tags = new TagList { { ConnectorTelemetry.MethodNameTag, method } };
                if (errorType is not null)
                {
                    tags.Add(ConnectorTelemetry.ErrorTypeTag, errorType);
                    activity?.SetTag(ConnectorTelemetry.ErrorTypeTag, errorType);
                    activity?.SetStatus(ActivityStatusCode.Error);
                }

                ConnectorTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }
        };
}
