using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Connectors.Hosting;

[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;
