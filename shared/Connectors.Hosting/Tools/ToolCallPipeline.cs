using System.Diagnostics;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Output;
using Connectors.Hosting.Security;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Wraps every tool call: checks the caller's scope and quotas, validates arguments against the schema, applies the
/// per-call deadline, turns exceptions into <c>isError</c> results (never exception text), keeps results within the
/// output budget, and writes the audit line.
/// </summary>
internal sealed class ToolCallPipeline(
    OutputBudget budget, TimeSpan toolTimeout, ToolAccess access, CallLimits limits, AuditLog audit, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Connectors.Tools");

    public McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            var toolName = context.Params?.Name ?? "";
            var correlationId = NewCorrelationId();
            var caller = CallerIdentity.From(context.User) ?? (access.Enforced ? null : CallerIdentity.Unauthenticated);
            using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["correlationId"] = correlationId, ["tool"] = toolName });
            var started = Stopwatch.GetTimestamp();
            string? errorType = null;
            // An error of a tool with an output schema cannot carry its code in structuredContent (see TypedResults).
            var typed = context.MatchedPrimitive is McpServerTool { ProtocolTool.OutputSchema: not null };
            CallToolResult Conforming(CallToolResult result) => typed ? TypedResults.ForTypedTool(result) : result;

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(toolTimeout);
            try
            {
                if (context.MatchedPrimitive is McpServerTool tool)
                {
                    access.CheckCall(tool.ProtocolTool, caller);
                    await limits.AcquireCallAsync(caller ?? CallerIdentity.Unauthenticated, toolName);
                    ArgumentValidator.Validate(tool.ProtocolTool.InputSchema, context.Params?.Arguments);
                }
                else if (access.IsDenied(toolName))
                {
                    // A reloaded tools.deny takes the tool out of the list; a client still holding the old list learns why.
                    throw ConnectorException.PermissionDenied($"The tool '{toolName}' is switched off on this server (tools.deny).");
                }

                var result = await next(context, deadline.Token);
                if (result.IsError == true)
                {
                    errorType = ErrorCodeOf(result) ?? "tool_error";
                }

                return Conforming(KeepWithinBudget(result));
            }
            catch (ConnectorException ex)
            {
                errorType = ex.Code;
                _logger.LogInformation("Tool {Tool} answered {Code}: {Reason}", toolName, ex.Code, ex.Message);
                return Conforming(ToolErrors.ToResult(ex));
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                errorType = ErrorCodes.Timeout;
                return Conforming(ToolErrors.ToResult(ConnectorException.Timeout(
                    $"The tool '{toolName}' did not finish within {toolTimeout.TotalSeconds:0} s and was stopped. Narrow the request and try again.")));
            }
            catch (OperationCanceledException)
            {
                errorType = ErrorCodes.Cancelled;
                _logger.LogInformation("Tool {Tool} was cancelled by the client", toolName);
                throw;
            }
            catch (McpException)
            {
                // Protocol errors (unknown tool, …) stay JSON-RPC errors; their messages are the SDK's own.
                errorType = "protocol_error";
                throw;
            }
            catch (Exception ex)
            {
                errorType = ErrorCodes.InternalError;
                _logger.LogError(ex, "Tool {Tool} failed unexpectedly (correlation id {CorrelationId})", toolName, correlationId);
                return Conforming(ToolErrors.ToResult(
                    new ConnectorException(ErrorCodes.InternalError, $"The tool '{toolName}' failed unexpectedly. The server log has the details."),
                    correlationId));
            }
            finally
            {
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                // The span and the duration metric are the SDK's (it runs this filter inside its tools/call span).
                if (errorType is not null && Activity.Current is { IsAllDataRequested: true, Source.Name: ConnectorTelemetry.McpSourceName } span)
                {
                    span.SetTag(ConnectorTelemetry.ErrorCodeTag, errorType);
                }

                audit.Record(caller ?? CallerIdentity.Unauthenticated, toolName, context.Params?.Arguments, errorType ?? "ok", TimeSpan.FromSeconds(elapsed), correlationId);
            }
        };

    private CallToolResult KeepWithinBudget(CallToolResult result)
    {
        // Tools cut their own output with continuation arguments; this is the safety net for anything that did not.
        var texts = result.Content.OfType<TextContentBlock>().ToList();
        var total = texts.Sum(t => System.Text.Encoding.UTF8.GetByteCount(t.Text));
        if (total <= budget.MaxBytes)
        {
            return result;
        }

        var remaining = budget.MaxBytes;
        var content = new List<ContentBlock>();
        foreach (var block in result.Content)
        {
            if (block is not TextContentBlock text)
            {
                content.Add(block);
                continue;
            }

            if (remaining < 1024)
            {
                break;
            }

            var fitted = new OutputBudget(remaining).Fit(text.Text, _ =>
                "The result exceeded this server's output budget; ask for less (a narrower path, a filter, or a smaller limit).");
            content.Add(new TextContentBlock { Text = fitted });
            remaining -= System.Text.Encoding.UTF8.GetByteCount(fitted);
        }

        return new CallToolResult { Content = content, IsError = result.IsError, StructuredContent = result.StructuredContent, Meta = result.Meta };
    }

    private static string? ErrorCodeOf(CallToolResult result) =>
        result.StructuredContent is { ValueKind: System.Text.Json.JsonValueKind.Object } structured &&
        structured.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.Object &&
        error.TryGetProperty("code", out var code) && code.ValueKind == System.Text.Json.JsonValueKind.String
            ? code.GetString()
            : null;

    private const int CorrelationIdBytes = 8;

    // Random bytes for correlation ids, drawn from the system's secure generator 64 ids at a time: one call into it per
    // tool call cost more than the rest of the id (eng/bench-startup.sh profile). Per thread, so no lock.
    [ThreadStatic]
    private static byte[]? t_randomBytes;

    [ThreadStatic]
    private static int t_randomUsed;

    private static string NewCorrelationId()
    {
        var bytes = t_randomBytes ??= new byte[64 * CorrelationIdBytes];
        if (t_randomUsed == 0 || t_randomUsed == bytes.Length)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            t_randomUsed = 0;
        }

        var id = Convert.ToHexStringLower(bytes, t_randomUsed, CorrelationIdBytes);
        t_randomUsed += CorrelationIdBytes;
        return id;
    }
}
