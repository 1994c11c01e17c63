using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Connectors.Hosting;

[JsonSerializable(typeof(JsonObject))]
internal sealed partial class HostingJsonContext : JsonSerializerContext;
