using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;

namespace Connectors.Database;

/// <summary>
/// Source-generated JSON (reflection-free, so Native AOT keeps it): the strings the result format quotes —
/// <see cref="JsonSerializerContext.Default"/> escapes as the serializer's defaults do (non-ASCII and HTML-sensitive
/// characters as <c>\uXXXX</c>), <see cref="Relaxed"/> leaves them as they are — and the tools' <c>params</c> argument.
/// </summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement[]))]
internal sealed partial class DatabaseJsonContext : JsonSerializerContext
{
    public static DatabaseJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The SDK's options, with the argument types its own resolver lacks (<c>JsonElement[]</c>) from this context.</summary>
    public static JsonSerializerOptions Tools => ToolOptions.Value;

    // A class of its own: an initializer beside the generated Default could run before it and combine a null resolver.
    private static class ToolOptions
    {
        public static readonly JsonSerializerOptions Value = new(McpJsonUtilities.DefaultOptions)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(Default, McpJsonUtilities.DefaultOptions.TypeInfoResolver),
        };
    }
}
