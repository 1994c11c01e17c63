using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Connectors.Micro;

/// <summary>
/// Writing a large tool result (50,000 rows, about 2.7 MB of JSON) as a JSON-RPC response: the SDK's serializer against
/// <see cref="JsonRpcWriter"/>, both into the same reused buffer with the same encoder. The response is made as the SDK
/// makes it: the result serialized, then parsed back into a node.
/// </summary>
[MemoryDiagnoser]
public class JsonRpcWriterBenchmarks
{
    private static readonly JsonTypeInfo s_message = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = McpJsonUtilities.DefaultOptions.Encoder };

    private readonly MessageBuffer _buffer = new();
    private JsonRpcResponse _response = null!;

    [GlobalSetup]
    public void MakeResponse()
    {
        var result = new CallToolResult
        {
            Content = [new TextContentBlock { Text = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"[{i},\"customer-{i}\",\"2024-01-01T00:00:00Z\"],\n")) }],
        };
        _response = new JsonRpcResponse
        {
            Id = new RequestId(8),
            Result = JsonSerializer.SerializeToNode(result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult))),
        };
    }

    [Benchmark(Baseline = true)]
    public int Sdk_serializer()
    {
        _buffer.Clear();
        using (var writer = new Utf8JsonWriter(_buffer, s_writerOptions))
        {
            JsonSerializer.Serialize(writer, _response, s_message);
        }

        return _buffer.WrittenMemory.Length;
    }

    [Benchmark]
    public int Json_rpc_writer()
    {
        _buffer.Clear();
        JsonRpcWriter.Write(_response, _buffer);
        return _buffer.WrittenMemory.Length;
    }
}
