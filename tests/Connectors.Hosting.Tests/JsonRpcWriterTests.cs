using ModelContextProtocol;

namespace Connectors.Hosting.Tests;

public sealed class JsonRpcWriterTests
{
    private static readonly JsonSerializerOptions s_options = McpJsonUtilities.DefaultOptions;

    public static TheoryData<string> Messages => new()
    {
        "tool result with text that needs escaping",
        "large tool result",
        "error result with structured content",
        "response with a string id and a result built in code",
        "request",
        "notification",
        "error",
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Messages_are_written_exactly_as_the_sdk_serializes_them(string name)
    {
        var message = Message(name);

        var buffer = new MessageBuffer();
        JsonRpcWriter.Write(new JsonRpcNotification { Method = "notifications/initialized" }, buffer);
        buffer.Clear();
        JsonRpcWriter.Write(message, buffer);

        var expected = JsonSerializer.SerializeToUtf8Bytes(message, s_options.GetTypeInfo(typeof(JsonRpcMessage)));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(buffer.WrittenMemory.Span));
    }

    [Fact]
    public void The_message_buffer_keeps_what_was_written_as_it_grows()
    {
        var buffer = new MessageBuffer();
        for (var i = 0; i < 100_000; i++)
        {
            var span = buffer.GetSpan(7);
            BitConverter.TryWriteBytes(span, i);
            buffer.Advance(4);
        }

        Assert.Equal(400_000, buffer.WrittenMemory.Length);
        Assert.Equal(99_999, BitConverter.ToInt32(buffer.WrittenMemory.Span[^4..]));
        Assert.Equal(12_345, BitConverter.ToInt32(buffer.WrittenMemory.Span[(12_345 * 4)..]));
    }

    private static JsonRpcMessage Message(string name) => name switch
    {
        "tool result with text that needs escaping" => Response(new RequestId(7), new CallToolResult
        {
            Content = [new TextContentBlock { Text = "{\"a\":[1,\"x\\\"y\"]}\n\ttab \u0001 é ü 😀 </script> & 'quote' \u2028" }],
        }),
        "large tool result" => Response(new RequestId(8), new CallToolResult
        {
            Content = [new TextContentBlock { Text = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"[{i},\"customer-{i}\",\"2024-01-01T00:00:00Z\"],")) }],
        }),
        "error result with structured content" => Response(new RequestId(9), new CallToolResult
        {
            IsError = true,
            Content = [new TextContentBlock { Text = "invalid_argument: sql: \"x\"" }],
            StructuredContent = JsonSerializer.SerializeToElement(new JsonObject { ["error"] = new JsonObject { ["code"] = "invalid_argument", ["n"] = 1.5 } }, s_options),
        }),
        "response with a string id and a result built in code" => new JsonRpcResponse
        {
            Id = new RequestId("abc-\"1\""),
            Result = new JsonObject { ["tools"] = new JsonArray(new JsonObject { ["name"] = "q", ["n"] = 3, ["ok"] = true, ["none"] = null }) },
        },
        "request" => new JsonRpcRequest { Id = new RequestId(3), Method = "sampling/createMessage", Params = new JsonObject { ["x"] = "é" } },
        "notification" => new JsonRpcNotification { Method = "notifications/progress", Params = JsonNode.Parse("""{"progress":1,"message":"h\u00e9"}""") },
        _ => new JsonRpcError { Id = new RequestId(4), Error = new JsonRpcErrorDetail { Code = -32602, Message = "Unknown tool: 'x'" } },
    };

    // As the SDK makes a response: the result serialized, then parsed back into a node.
    private static JsonRpcResponse Response(RequestId id, CallToolResult result) =>
        new() { Id = id, Result = JsonSerializer.SerializeToNode(result, s_options.GetTypeInfo(typeof(CallToolResult))) };
}
