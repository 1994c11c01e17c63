using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Registers a toolset like <c>WithTools&lt;T&gt;</c>, with input schemas that say what a call should send: an optional
/// argument is left out, never sent as null, so the SDK's <c>["string","null"]</c> unions and <c>"default": null</c> are
/// dropped. Every tool list pays for them, and the shared argument check answers an explicit null with a clear error.
/// Every server registers its tools this way, with the serializer options of its typed results
/// (<see cref="TypedResults.SerializerOptions"/>), from which the output schemas come.
/// </summary>
public static class CompactToolSchemas
{
    private static readonly AIJsonSchemaCreateOptions SchemaOptions = new() { TransformSchemaNode = (_, node) => WithoutNull(node) };

    public static IMcpServerBuilder WithCompactTools<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors)] T>(
        this IMcpServerBuilder mcp, JsonSerializerOptions options, Func<string, bool>? include = null)
        where T : class
    {
        // The constructor is looked up once per toolset, at its first call (not at start-up); a call only runs the factory.
        ObjectFactory<T>? create = null;
        // include: a toolset may offer some of a class's tools (by name) and leave the rest to another toolset.
        foreach (var method in typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is { } tool && (include is null || include(tool.Name ?? m.Name))))
        {
            // An output schema keeps its nulls: a result's optional field is sent as null, and a client validates it.
            var outputType = method.GetCustomAttribute<McpServerToolAttribute>()!.OutputSchemaType;
            var outputSchema = outputType is null ? (System.Text.Json.JsonElement?)null : AIJsonUtilities.CreateJsonSchema(outputType, serializerOptions: options);
            mcp.Services.AddSingleton(services => McpServerTool.Create(
                method,
                request => (create ??= ActivatorUtilities.CreateFactory<T>(Type.EmptyTypes))(request.Services ?? services, null),
                new McpServerToolCreateOptions { Services = services, SchemaCreateOptions = SchemaOptions, SerializerOptions = options, OutputSchema = outputSchema }));
        }

        return mcp;
    }

    private static JsonNode WithoutNull(JsonNode node)
    {
        if (node is not JsonObject schema)
        {
            return node;
        }

        if (schema["type"] is JsonArray { Count: 2 } types && types.SingleOrDefault(t => t?.GetValue<string>() != "null") is { } type)
        {
            schema["type"] = type.GetValue<string>();
        }

        if (schema.TryGetPropertyValue("default", out var value) && value is null)
        {
            schema.Remove("default");
        }

        return node;
    }
}
