using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Results of tools whose answer is data. The tool declares its output schema with
/// <c>[McpServerTool(UseStructuredContent = true, OutputSchemaType = typeof(T))]</c> and is registered with serializer
/// options whose resolver holds <typeparamref name="T"/>'s source-generated type info, so the schema and the value come
/// from the same contract (no reflection: the servers are Native AOT).
/// </summary>
public static class TypedResults
{
    /// <summary>
    /// Tool <c>_meta</c> key of the error of a tool with an output schema: its <c>structuredContent</c> must match that
    /// schema (the TypeScript SDK's client validates it even when <c>isError</c> is set), so the error object moves here.
    /// </summary>
    public const string ErrorMetaKey = "connectors/error";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IJsonTypeInfoResolver, JsonSerializerOptions> s_options = [];

    /// <summary>
    /// The options to register a server's tools with (<c>WithTools&lt;T&gt;(options)</c>): the SDK generates each output
    /// schema with them, so they hold the server's source-generated result types (and argument types the SDK's resolver
    /// lacks) ahead of the SDK's own. One instance per context, so its metadata cache is shared by all its tools.
    /// </summary>
    public static JsonSerializerOptions SerializerOptions(IJsonTypeInfoResolver results) =>
        s_options.GetValue(results, static r => new JsonSerializerOptions(McpJsonUtilities.DefaultOptions)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(r, McpJsonUtilities.DefaultOptions.TypeInfoResolver),
        });

    /// <summary>The compact text a model reads, and the same answer as <c>structuredContent</c> for clients that chain it.</summary>
    public static CallToolResult Create<T>(string text, T value, JsonTypeInfo<T> typeInfo) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = JsonSerializer.SerializeToElement(value, typeInfo),
    };

    /// <summary>An <c>isError</c> result of a tool with an output schema: the structured error moved to <c>_meta</c>.</summary>
    internal static CallToolResult ForTypedTool(CallToolResult result)
    {
        if (result.IsError != true || result.StructuredContent is not { ValueKind: JsonValueKind.Object } structured ||
            !structured.TryGetProperty("error", out var error))
        {
            return result;
        }

        var meta = result.Meta ?? [];
        meta[ErrorMetaKey] = System.Text.Json.Nodes.JsonNode.Parse(error.GetRawText());
        return new CallToolResult { Content = result.Content, IsError = true, Meta = meta };
    }
}
