using System.Net.Http.Headers;

namespace Connectors.Hosting.Tests;

/// <summary>One test server process over Streamable HTTP, shared by the HTTP tests.</summary>
public sealed class HttpServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask InitializeAsync() =>
        Server = await ServerProcess.StartHttpAsync("Connectors.Hosting.TestServer", ["--log-level", "information"]);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class HttpServerCollection : ICollectionFixture<HttpServerFixture>
{
    public const string Name = "http test server";
}

[Collection(HttpServerCollection.Name)]
public sealed class HttpTransportTests(HttpServerFixture fixture)
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"tests","version":"1"}}}""";
    private const string BothAccepted = RawMcpHttp.AcceptJsonOrStream;

    private static string Call(string tool, string arguments, int id = 2) => RawMcpHttp.Call(tool, arguments, id);

    private Task<HttpResponseMessage> PostAsync(string body, string? accept = BothAccepted, Action<HttpRequestMessage>? configure = null, CancellationToken cancellationToken = default) =>
        RawMcpHttp.PostAsync(fixture.Http, fixture.Server.McpUrl, body, configure, accept, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private static JsonElement ParseSse(string body)
    {
        var data = body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()).Last();
        return JsonDocument.Parse(data).RootElement;
    }

    private static JsonElement Parse(HttpResponseMessage response, string body) =>
        response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? ParseSse(body) : JsonDocument.Parse(body).RootElement;

    /// <summary>After a refused request, the next call is answered as usual.</summary>
    private async Task AssertStillServingAsync()
    {
        var after = await JsonRpcAsync(Call("echo", """{"text":"alive"}"""));
        Assert.Equal("alive", after.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    private async Task<JsonElement> JsonRpcAsync(string body)
    {
        using var response = await PostAsync(body, "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Initialize_answers_as_server_sent_events_when_the_client_accepts_both()
    {
        using var response = await PostAsync(Initialize);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        var message = ParseSse(await response.Content.ReadAsStringAsync());
        Assert.Equal("connectors-testserver", message.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Initialize_answers_as_plain_json_when_the_client_accepts_only_json()
    {
        var message = await JsonRpcAsync(Initialize);
        Assert.Equal(1, message.GetProperty("id").GetInt32());
        Assert.Equal("2025-06-18", message.GetProperty("result").GetProperty("protocolVersion").GetString());
    }

    [Fact]
    public async Task Notifications_are_accepted_with_202_and_no_body()
    {
        using var response = await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_stateless_tool_call_needs_no_session()
    {
        var message = await JsonRpcAsync(Call("echo", """{"text":"hi","times":3}"""));
        Assert.Equal("hihihi", message.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("evil.example.com", null)]
    [InlineData(null, "http://evil.example.com")]
    [InlineData("localhost.evil.example.com", null)]
    [InlineData(null, "null")]
    public async Task Foreign_hosts_and_origins_are_refused_with_403(string? host, string? origin)
    {
        using var response = await PostAsync(Initialize, configure: r =>
        {
            if (host is not null)
            {
                r.Headers.Host = host;
            }

            if (origin is not null)
            {
                r.Headers.TryAddWithoutValidation("Origin", origin);
            }
        });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Loopback_hosts_and_origins_with_ports_are_accepted()
    {
        using var response = await PostAsync(Initialize, configure: r =>
        {
            r.Headers.Host = $"localhost:{fixture.Server.BaseUrl.Port}";
            r.Headers.TryAddWithoutValidation("Origin", $"http://localhost:{fixture.Server.BaseUrl.Port}");
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("image/png, text/plain")]
    public async Task An_unacceptable_accept_header_gets_406(string accept)
    {
        using var response = await PostAsync(Initialize, accept);
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task Get_and_delete_get_405_with_allow_post_in_stateless_mode(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), fixture.Server.McpUrl);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unsupported_protocol_version_header_gets_400()
    {
        using var response = await PostAsync(Call("echo", """{"text":"x"}"""), configure: r => r.Headers.Add("MCP-Protocol-Version", "1999-01-01"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("1999-01-01", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json", -32700)]
    [InlineData("""{"jsonrpc":"2.0","id":1,""", -32700)]
    [InlineData("""{"hello":"world"}""", -32600)]
    [InlineData("""[1,2,3]""", -32600)]
    [InlineData("42", -32600)]
    public async Task Malformed_bodies_get_400_with_a_json_rpc_error_and_the_server_keeps_serving(string body, int expectedCode)
    {
        using (var response = await PostAsync(body))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal(expectedCode, error.GetProperty("code").GetInt32());
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_ten_megabyte_body_gets_413_and_the_server_keeps_serving()
    {
        var huge = Call("echo", $$"""{"text":"{{new string('a', 10 * 1024 * 1024)}}"}""");
        using (var response = await PostAsync(huge, configure: r => r.Headers.ExpectContinue = true))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_chunked_body_past_the_cap_gets_413_with_a_json_rpc_error()
    {
        var huge = Call("echo", $$"""{"text":"{{new string('a', 2 * 1024 * 1024)}}"}""");
        using (var response = await PostAsync(huge, configure: r => r.Headers.TransferEncodingChunked = true))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal(-32600, error.GetProperty("code").GetInt32());
        }

        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    public async Task A_body_that_is_not_declared_json_gets_415(string? contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.McpUrl) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Call("echo", """{"text":"x"}"""))) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.TryAddWithoutValidation("Accept", BothAccepted);
        using var response = await fixture.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData(BothAccepted)]
    [InlineData("application/json")]
    public async Task A_2026_07_28_client_discovers_and_calls_a_tool_with_method_headers_and_no_initialize(string accept)
    {
        const string Meta = """ "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}} """;
        static Action<HttpRequestMessage> Headers(string method, string? name = null) => r =>
        {
            r.Headers.Add("MCP-Protocol-Version", "2026-07-28");
            r.Headers.Add("Mcp-Method", method);
            if (name is not null)
            {
                r.Headers.Add("Mcp-Name", name);
            }
        };

        using (var discover = await PostAsync("""{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{""" + Meta + "}}", accept, Headers("server/discover")))
        {
            Assert.Equal(HttpStatusCode.OK, discover.StatusCode);
            var result = Parse(discover, await discover.Content.ReadAsStringAsync()).GetProperty("result");
            Assert.Contains("2026-07-28", result.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()));
        }

        using var call = await PostAsync(
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"new"},""" + Meta + "}}", accept, Headers("tools/call", "echo"));
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal("new", Parse(call, await call.Content.ReadAsStringAsync()).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("2026-07-28")]
    [InlineData("2025-11-25")]
    [InlineData(null)]
    public async Task A_request_whose_mcp_method_header_differs_from_its_body_gets_400_under_its_id(string? version)
    {
        var meta = version == "2026-07-28" ? ""","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}""" : "";
        using var response = await PostAsync(
            """{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}""" + meta + "}}",
            configure: r =>
            {
                if (version is not null)
                {
                    r.Headers.Add("MCP-Protocol-Version", version);
                }

                r.Headers.Add("Mcp-Method", "tools/list");
                r.Headers.Add("Mcp-Name", "echo");
            });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(41, answer.GetProperty("id").GetInt32());
        Assert.Contains("Mcp-Method", answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_methods_get_a_method_not_found_error()
    {
        var message = await JsonRpcAsync("""{"jsonrpc":"2.0","id":9,"method":"no/such/method","params":{}}""");
        Assert.Equal(-32601, message.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Unknown_tools_get_a_json_rpc_error_naming_the_tool()
    {
        var message = await JsonRpcAsync(Call("no_such_tool", "{}"));
        Assert.Contains("no_such_tool", message.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_argument_types_get_an_invalid_argument_tool_error()
    {
        var message = await JsonRpcAsync(Call("echo", """{"text":"a","times":"many"}"""));
        var result = message.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Equal("invalid_argument", result.GetProperty("structuredContent").GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("times", result.GetProperty("structuredContent").GetProperty("error").GetProperty("argument").GetString());
    }

    [Fact]
    public async Task A_client_disconnect_cancels_the_running_tool_call()
    {
        using var disconnect = new CancellationTokenSource();
        // Counted before the call: the tool may log its start before this line would otherwise run.
        var started = fixture.Server.StderrLines.Count(l => l.Contains("slow tool started", StringComparison.Ordinal));
        var call = PostAsync(Call("slow", """{"seconds":120}""", id: 77), cancellationToken: disconnect.Token);
        await WaitUntilAsync(() => fixture.Server.StderrLines.Count(l => l.Contains("slow tool started", StringComparison.Ordinal)) > started);
        var cancelled = fixture.Server.StderrLines.Count(l => l.Contains("slow tool observed cancellation", StringComparison.Ordinal));

        disconnect.Cancel();
        try
        {
            using var response = await call;
            await response.Content.ReadAsStringAsync(disconnect.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await WaitUntilAsync(() => fixture.Server.StderrLines.Count(l => l.Contains("slow tool observed cancellation", StringComparison.Ordinal)) > cancelled);
    }

    [Fact]
    public async Task The_sdk_client_works_over_streamable_http()
    {
        await using var client = await fixture.Server.ConnectHttpAsync();
        var tools = await client.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == "echo");
        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "sdk" });
        Assert.Equal("sdk", result.Text());
    }

    [Fact]
    public async Task Health_answers_ok_and_readiness_reports_each_check()
    {
        using var health = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using var ready = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("test", body.GetProperty("checks")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Logs_are_json_lines_on_stderr()
    {
        Assert.NotEmpty(fixture.Server.StderrLines);
        Assert.All(fixture.Server.StderrLines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(25);
        }
    }
}
