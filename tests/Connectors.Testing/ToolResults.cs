using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Connectors.Testing;

public static class ToolResults
{
    /// <summary>All text blocks of a result, joined.</summary>
    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>The stable error code of an <c>isError</c> result (<c>structuredContent.error.code</c>).</summary>
    public static string? ErrorCode(this CallToolResult result) =>
        result.IsError == true && result.StructuredContent is { } structured && TryGetError(structured, out var error) &&
        error.TryGetProperty("code", out var code) ? code.GetString() : null;

    public static JsonElement ErrorField(this CallToolResult result, string field)
    {
        if (result.StructuredContent is not { } structured || !TryGetError(structured, out var error) || !error.TryGetProperty(field, out var value))
        {
            throw new InvalidOperationException($"The result has no error.{field}: {result.Text()}");
        }

        return value;
    }

    private static bool TryGetError(JsonElement structured, out JsonElement error)
    {
        error = default;
        return structured.ValueKind == JsonValueKind.Object && structured.TryGetProperty("error", out error);
    }
}
