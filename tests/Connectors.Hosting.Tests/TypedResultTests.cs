using System.Text.Json;
using Connectors.Testing;

namespace Connectors.Hosting.Tests;

/// <summary>Tools whose answer is data: an output schema from the result type, the value as structuredContent, and errors a validating client accepts.</summary>
public sealed class TypedResultTests
{
    private static Task<InMemoryMcp> StartAsync() => InMemoryMcp.StartAsync(TestServer.TestServer.Create(), []);

    [Fact]
    public async Task A_typed_tool_declares_an_object_schema_of_its_result_type_and_untyped_tools_none()
    {
        await using var mcp = await StartAsync();
        var tools = (await mcp.Client.ListToolsAsync()).ToDictionary(t => t.Name);

        var schema = tools["measure"].ProtocolTool.OutputSchema!.Value;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var properties = schema.GetProperty("properties");
        Assert.Equal("integer", properties.GetProperty("characters").GetProperty("type").GetString());
        Assert.True(properties.TryGetProperty("prefix", out _));
        Assert.Null(tools["echo"].ProtocolTool.OutputSchema);
    }

    [Fact]
    public async Task The_text_stays_compact_and_the_same_answer_comes_as_structured_content()
    {
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("measure", new Dictionary<string, object?> { ["text"] = "one two three" });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("13 characters, 3 words", result.Text());
        var structured = result.StructuredContent!.Value;
        Assert.Equal(13, structured.GetProperty("characters").GetInt32());
        Assert.Equal(3, structured.GetProperty("words").GetInt32());
        Assert.Equal("one two th", structured.GetProperty("prefix").GetString());
    }

    [Fact]
    public async Task An_error_of_a_typed_tool_keeps_its_code_in_meta_and_leaves_structured_content_out()
    {
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("measure", new Dictionary<string, object?> { ["text"] = "" });

        Assert.True(result.IsError);
        // A client validates structuredContent against the output schema even on errors; an error object would fail it.
        Assert.Null(result.StructuredContent);
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Equal("text", result.ErrorField("argument").GetString());
        Assert.StartsWith("Error [invalid_argument]", result.Text(), StringComparison.Ordinal);

        var untyped = await mcp.CallAsync("fail_rate_limited");
        Assert.Equal(JsonValueKind.Object, untyped.StructuredContent!.Value.GetProperty("error").ValueKind);
    }
}
