namespace Connectors.Hosting.Tests;

/// <summary>Lines on stdin that are not JSON-RPC messages get the errors JSON-RPC 2.0 prescribes, never silence.</summary>
public sealed class StdioFramingTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_line_that_is_not_json_gets_a_parse_error_under_a_null_id()
    {
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", []);

        await server.SendLineAsync("this is not json");

        var error = await ErrorAsync(server, code: -32700);
        Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task A_broken_request_whose_id_can_be_read_gets_its_error_under_that_id()
    {
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", []);

        await server.SendLineAsync("""{"jsonrpc":"2.0","id":"cut-short","method":"tools/list","params":{""");
        await server.SendLineAsync("""{"jsonrpc":"2.0","id":41,"method":5}""");

        var parse = await ErrorAsync(server, code: -32700);
        Assert.Equal("cut-short", parse.GetProperty("id").GetString());
        var invalid = await ErrorAsync(server, code: -32600);
        Assert.Equal(41, invalid.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""")]
    [InlineData("42")]
    public async Task Json_that_is_not_a_message_gets_invalid_request_under_a_null_id(string line)
    {
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", []);

        await server.SendLineAsync(line);

        var error = await ErrorAsync(server, code: -32600);
        Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task A_message_over_the_request_limit_is_refused_and_the_next_one_is_answered()
    {
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", ["--max-request-bytes", "2048"]);

        var padding = new string('x', 100_000);
        await server.SendLineAsync(EchoRequest("too-big", padding));

        var error = await ErrorAsync(server, code: -32600);
        Assert.Equal("too-big", error.GetProperty("id").GetString());
        Assert.Contains("2048", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var next = await server.RequestAsync("after", "tools/call", new { name = "echo", arguments = new { text = "small" } }, s_timeout);
        Assert.Equal("small", next.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Errors_answered_between_the_servers_own_answers_never_split_a_line()
    {
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Hosting.TestServer", []);

        var large = new string('y', 50_000);
        for (var i = 0; i < 20; i++)
        {
            await server.SendLineAsync(EchoRequest($"echo-{i}", large));
            await server.SendLineAsync("garbage " + i);
        }

        for (var i = 0; i < 20; i++)
        {
            var answer = await server.WaitForResponseAsync($"echo-{i}", s_timeout);
            Assert.Equal(large, answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        }

        await server.WaitForLineAsync(root => CountParseErrors(server) == 20, s_timeout);
        Assert.Equal(20, CountParseErrors(server));
        Assert.All(server.StdoutLines, line => JsonDocument.Parse(line).Dispose());
    }

    private static string EchoRequest(string id, string text) => JsonSerializer.Serialize(new
    {
        jsonrpc = "2.0",
        id,
        method = "tools/call",
        @params = new { name = "echo", arguments = new { text } },
    });

    private static int CountParseErrors(RawStdioServer server) =>
        server.StdoutLines.Count(line => Encoding.UTF8.GetString(line).Contains("\"code\":-32700", StringComparison.Ordinal));

    private static async Task<JsonElement> ErrorAsync(RawStdioServer server, int code) =>
        await server.WaitForLineAsync(
            root => root.TryGetProperty("error", out var error) && error.GetProperty("code").GetInt32() == code,
            s_timeout) ?? throw new TimeoutException($"No error {code} came. Stderr:{Environment.NewLine}{server.Stderr}");
}
