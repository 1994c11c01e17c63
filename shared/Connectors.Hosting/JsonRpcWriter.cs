using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Connectors.Hosting;

/// <summary>
/// Writes a JSON-RPC message as the SDK's serializer does, byte for byte, but without its cost for large results: the SDK
/// keeps a response's result as a JSON node parsed from text it already escaped, and serializing that node unescapes
/// and re-escapes every string of it. Here the parsed parts are copied as the JSON text they already are.
/// </summary>
internal static class JsonRpcWriter
{
    private static readonly JsonTypeInfo s_message = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonTypeInfo s_requestId = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RequestId));
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = McpJsonUtilities.DefaultOptions.Encoder, SkipValidation = true };

    public static void Write(JsonRpcMessage message, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, s_writerOptions);
        if (message is JsonRpcResponse { Result: { } result } response)
        {
            // The SDK's converter writes a response's members in this order.
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            WriteNode(writer, result);
            writer.WritePropertyName("id");
            JsonSerializer.Serialize(writer, response.Id, s_requestId);
            writer.WriteString("jsonrpc", response.JsonRpc);
            writer.WriteEndObject();
        }
        else
        {
            JsonSerializer.Serialize(writer, message, s_message);
        }
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject members:
                writer.WriteStartObject();
                foreach (var (name, value) in members)
                {
                    writer.WritePropertyName(name);
                    WriteNode(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValue value when value.TryGetValue<JsonElement>(out var parsed):
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(parsed), skipInputValidation: true);
                break;
            default:
                node.WriteTo(writer, McpJsonUtilities.DefaultOptions);
                break;
        }
    }
}

/// <summary>
/// A growing buffer for one message at a time, kept between messages so small ones allocate nothing. It is not rented
/// from the shared array pool: that pool keeps an array per size per thread, and the threads that send change, so large
/// messages would leave one large array behind on each of them.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int Capacity => _buffer.Length;

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Clear() => _written = 0;

    private void Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), Array.MaxLength));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        _buffer = larger;
    }
}
