using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Connectors.Hosting.Errors;

/// <summary>Builds <c>isError</c> tool results: readable text for the model, the same fields as structured content.</summary>
public static class ToolErrors
{
    public static CallToolResult ToResult(ConnectorException error, string? correlationId = null)
    {
        var fields = new JsonObject
        {
            ["code"] = error.Code,
            ["message"] = error.Message,
            ["retryable"] = error.Retryable,
        };
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            fields["retry_after_seconds"] = retryAfter;
        }

        if (error.Argument is { } argument)
        {
            fields["argument"] = argument;
        }

        if (correlationId is not null)
        {
            fields["correlation_id"] = correlationId;
        }

        var text = $"Error [{error.Code}]: {error.Message}";
        if (error.RetryAfterSeconds is { } seconds)
        {
            text += $" Retry after {seconds} s.";
        }

        if (correlationId is not null)
        {
            text += $" (correlation id {correlationId})";
        }

        return new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = JsonSerializer.SerializeToElement(new JsonObject { ["error"] = fields }, HostingJsonContext.Default.JsonObject),
        };
    }
}
