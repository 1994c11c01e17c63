using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Connectors.Testing;

public static class ToolResults
{
    /// <summary>All text blocks of a result, joined.</summary>
    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>
    /// The stable error code of an <c>isError</c> result: <c>structuredContent.error.code</c>, or for a tool with an
    /// output schema <c>_meta["connectors/error"].code</c>.
    /// </summary>
    public static string? ErrorCode(this CallToolResult result) =>
        result.IsError == true && TryGetError(result, out var error) && error.TryGetProperty("code", out var code) ? code.GetString() : null;

    public static JsonElement ErrorField(this CallToolResult result, string field)
    {
        if (!TryGetError(result, out var error) || !error.TryGetProperty(field, out var value))
        {
            throw new InvalidOperationException($"The result has no error.{field}: {result.Text()}");
        }

        return value;
    }

    private static bool TryGetError(CallToolResult result, out JsonElement error)
    {
        error = default;
        if (result.StructuredContent is { ValueKind: JsonValueKind.Object } structured && structured.TryGetProperty("error", out error))
        {
            return true;
        }

        if (result.Meta?["connectors/error"] is System.Text.Json.Nodes.JsonObject moved)
        {
            error = JsonSerializer.SerializeToElement(moved, ModelContextProtocol.McpJsonUtilities.DefaultOptions);
            return true;
        }

        return false;
    }
}
