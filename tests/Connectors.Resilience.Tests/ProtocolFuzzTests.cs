using System.Diagnostics;

namespace Connectors.Resilience.Tests;

/// <summary>
/// Protocol fuzz: seeded random and mutated JSON-RPC messages over stdio and HTTP for a bounded time. CONNECTORS_FUZZ_SEED
/// replays a logged seed; CONNECTORS_FUZZ_SECONDS (default 10) and CONNECTORS_FUZZ_MESSAGES (default 3000) bound a run.
/// </summary>
public sealed class ProtocolFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Over_stdio_the_server_survives_writes_only_json_rpc_and_answers_every_valid_request()
    {
        WriteTree();
        var (seed, budget, limit) = Settings();
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Filesystem", ["--roots", _root.Path]);

        var fuzz = new FuzzMessages(seed);
        var expected = new Dictionary<string, string>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (; sent < limit && clock.Elapsed < budget && !server.HasExited; sent++)
        {
            var message = fuzz.Next();
            if (message.RequestId is { } id)
            {
                expected[id] = message.Kind;
            }

            await server.SendLineAsync(message.Body);
        }

        output.WriteLine($"stdio: seed {seed}, {sent} messages ({expected.Count} valid requests) in {clock.Elapsed.TotalSeconds:F1} s");

        var final = await server.RequestAsync("final", "tools/list", new { }, s_answerTimeout);
        Assert.NotEmpty(final.GetProperty("result").GetProperty("tools").EnumerateArray());

        // Requests run concurrently, so answers to earlier ones may follow the final one: wait for all of them.
        var missing = new HashSet<string>(expected.Keys);
        await server.WaitForLineAsync(root =>
        {
            if (RawStdioServer.IsResponse(root) && root.GetProperty("id") is { ValueKind: JsonValueKind.String } answered)
            {
                missing.Remove(answered.GetString()!);
            }

            return missing.Count == 0;
        }, s_answerTimeout);
        Assert.False(server.HasExited, $"the server exited. Stderr:{Environment.NewLine}{server.Stderr}");
        Assert.True(missing.Count == 0, $"seed {seed}: {missing.Count} valid requests got no answer, e.g. {string.Join(", ", missing.Take(5).Select(m => $"{m} ({expected[m]})"))}");

        var answers = new Dictionary<string, int>();
        foreach (var line in server.StdoutLines)
        {
            var root = AssertJsonRpc(line, seed);
            if (RawStdioServer.IsResponse(root) && root.GetProperty("id") is { ValueKind: JsonValueKind.String } id)
            {
                answers[id.GetString()!] = answers.GetValueOrDefault(id.GetString()!) + 1;
            }
        }

        Assert.All(expected.Keys, id => Assert.Equal(1, answers[id]));
        Assert.Equal(0, await server.CloseAndWaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Over_http_the_server_survives_never_answers_5xx_or_a_stack_trace_and_answers_every_valid_request()
    {
        WriteTree();
        var (seed, budget, limit) = Settings();
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Filesystem", ["--roots", _root.Path]);
        using var http = new HttpClient { Timeout = s_answerTimeout };

        var fuzz = new FuzzMessages(seed);
        var headers = new Random(seed);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var statuses = new SortedDictionary<int, int>();
        for (; sent < limit && clock.Elapsed < budget; sent++)
        {
            var message = fuzz.Next();
            var mangleHeaders = headers.Next(8) == 0;
            using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl) { Content = new ByteArrayContent(message.Body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", mangleHeaders && headers.Next(2) == 0 ? "text/plain" : "application/json");
            request.Headers.TryAddWithoutValidation("Accept", mangleHeaders && headers.Next(2) == 0 ? "image/png" : headers.Next(4) == 0 ? "text/event-stream" : "application/json");
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", mangleHeaders && headers.Next(2) == 0 ? "1999-01-01" : "2025-06-18");
            if (mangleHeaders && headers.Next(2) == 0)
            {
                request.Headers.TryAddWithoutValidation("Mcp-Method", "tools/list");
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var context = $"seed {seed}, message {sent} ({message.Kind}) {Shorten(Encoding.UTF8.GetString(message.Body))}: HTTP {status} {Shorten(body)}";
            Assert.True(status is >= 200 and < 500, context);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);

            if (message.RequestId is { } id && !mangleHeaders)
            {
                // A request with invalid params may be refused with 400, but still with a JSON-RPC error under its id.
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, context);
                var answer = ParseBody(body, response.Content.Headers.ContentType?.MediaType, seed);
                Assert.True(RawStdioServer.IsResponse(answer), context);
                Assert.Equal(id, answer.GetProperty("id").GetString());
            }
            else if (body.Length > 0)
            {
                ParseBody(body, response.Content.Headers.ContentType?.MediaType, seed);
            }
        }

        output.WriteLine($"http: seed {seed}, {sent} messages in {clock.Elapsed.TotalSeconds:F1} s; statuses {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.False(server.HasExited);
        await using var client = await server.ConnectHttpAsync();
        Assert.NotEmpty(await client.ListToolsAsync());
    }

    [Fact]
    public async Task Over_http_an_initialize_with_params_of_the_wrong_shape_gets_400_with_a_json_rpc_error_under_its_id()
    {
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Filesystem", ["--roots", _root.Path]);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":"bad-init","method":"initialize","params":{"protocolVersion":5}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json");

        using var response = await http.SendAsync(request);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad-init", answer.GetProperty("id").GetString());
        Assert.Equal(-32602, answer.GetProperty("error").GetProperty("code").GetInt32());
    }

    private void WriteTree()
    {
        _root.Write("readme.md", "# fuzz target\nhello\n");
        _root.Write("src/main.cs", "class Main {}\n");
        _root.Write("data/values.json", """{"a":1}""");
    }

    private static (int Seed, TimeSpan Budget, int Limit) Settings()
    {
        static int Read(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

        return (Read("CONNECTORS_FUZZ_SEED", 20240611), TimeSpan.FromSeconds(Read("CONNECTORS_FUZZ_SECONDS", 10)), Read("CONNECTORS_FUZZ_MESSAGES", 3000));
    }

    private static JsonElement ParseBody(string body, string? mediaType, int seed)
    {
        if (mediaType == "text/event-stream")
        {
            var data = body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim()).ToList();
            Assert.NotEmpty(data);
            return data.Select(d => AssertJsonRpc(Encoding.UTF8.GetBytes(d), seed)).Last();
        }

        return AssertJsonRpc(Encoding.UTF8.GetBytes(body), seed);
    }

    /// <summary>Valid UTF-8 JSON, a JSON-RPC 2.0 object: a response (id and result or error) or a request/notification.</summary>
    private static JsonElement AssertJsonRpc(byte[] line, int seed)
    {
        JsonElement root;
        try
        {
            using var json = JsonDocument.Parse(line);
            root = json.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed}: not JSON ({e.Message}): {Shorten(Encoding.UTF8.GetString(line))}");
        }

        var text = Shorten(root.GetRawText());
        Assert.True(root.ValueKind == JsonValueKind.Object, text);
        Assert.True(root.TryGetProperty("jsonrpc", out var version) && version.ValueEquals("2.0"), text);
        if (root.TryGetProperty("method", out var method))
        {
            Assert.True(method.ValueKind == JsonValueKind.String, text);
            return root;
        }

        Assert.True(root.TryGetProperty("id", out _), text);
        Assert.True(root.TryGetProperty("result", out _) ^ root.TryGetProperty("error", out var error), text);
        if (error.ValueKind == JsonValueKind.Object)
        {
            Assert.True(error.GetProperty("code").ValueKind == JsonValueKind.Number && error.GetProperty("message").ValueKind == JsonValueKind.String, text);
            Assert.DoesNotContain("   at ", error.GetRawText(), StringComparison.Ordinal);
        }

        return root;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
