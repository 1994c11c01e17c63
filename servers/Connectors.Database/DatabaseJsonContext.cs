using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.Database;

/// <summary>
/// Source-generated JSON for the strings the result format quotes (reflection-free, so Native AOT keeps it):
/// <see cref="JsonSerializerContext.Default"/> escapes as the serializer's defaults do (non-ASCII and HTML-sensitive
/// characters as <c>\uXXXX</c>), <see cref="Relaxed"/> leaves them as they are.
/// </summary>
[JsonSerializable(typeof(string))]
internal sealed partial class DatabaseJsonContext : JsonSerializerContext
{
    public static DatabaseJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
