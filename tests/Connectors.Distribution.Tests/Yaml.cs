using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Connectors.Distribution.Tests;

/// <summary>YAML documents as JSON nodes (scalars stay strings), merge keys resolved.</summary>
internal static class Yaml
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().Build();
    private static readonly ISerializer Json = new SerializerBuilder().JsonCompatible().Build();

    public static List<JsonNode> Documents(string yaml)
    {
        var parser = new MergingParser(new Parser(new StringReader(yaml)));
        parser.Consume<StreamStart>();
        var documents = new List<JsonNode>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var value = Reader.Deserialize<object>(parser);
            if (value is not null)
            {
                documents.Add(JsonNode.Parse(Json.Serialize(value))!);
            }
        }

        return documents;
    }

    public static string? Text(this JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();

    public static IEnumerable<JsonNode> Items(this JsonNode? node) => node is JsonArray array ? array.OfType<JsonNode>() : [];
}
