using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Connectors.Database.Tools;

namespace Connectors.Database;

/// <summary>
/// Source-generated JSON (reflection-free, so Native AOT keeps it): the strings the result format quotes —
/// <see cref="JsonSerializerContext.Default"/> escapes as the serializer's defaults do (non-ASCII and HTML-sensitive
/// characters as <c>\uXXXX</c>), <see cref="Relaxed"/> leaves them as they are — the tools' <c>params</c> argument, and
/// their typed results (names in camelCase); the tools are registered with <c>TypedResults.SerializerOptions(Default)</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement[]))]
[JsonSerializable(typeof(DatabaseList))]
[JsonSerializable(typeof(SchemaList))]
[JsonSerializable(typeof(TableList))]
[JsonSerializable(typeof(TableInfo))]
[JsonSerializable(typeof(QueryResult))]
[JsonSerializable(typeof(PlanResult))]
internal sealed partial class DatabaseJsonContext : JsonSerializerContext
{
    public static DatabaseJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
