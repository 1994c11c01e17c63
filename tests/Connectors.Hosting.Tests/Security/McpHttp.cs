namespace Connectors.Hosting.Tests.Security;

/// <summary>Raw JSON-RPC over HTTP with the credentials a test chooses.</summary>
internal static class McpHttp
{
    public const string ToolsList = RawMcpHttp.ToolsList;

    public static string Call(string tool, string arguments = "{}", int id = 2) => RawMcpHttp.Call(tool, arguments, id);

    public static Action<HttpRequestMessage> Bearer(string token) => RawMcpHttp.Bearer(token);

    public static Action<HttpRequestMessage> Headers(params (string Name, string Value)[] headers) => RawMcpHttp.Headers(headers);

    public static Task<HttpResponseMessage> PostAsync(this ServerProcess server, HttpClient http, string body, Action<HttpRequestMessage>? configure = null) =>
        RawMcpHttp.PostAsync(http, server.McpUrl, body, configure);

    /// <summary>Posts a message that must be answered with 200 and returns the JSON-RPC response.</summary>
    public static async Task<JsonElement> RpcAsync(this ServerProcess server, HttpClient http, string body, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await server.PostAsync(http, body, configure);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<IReadOnlyList<string>> ToolNamesAsync(this ServerProcess server, HttpClient http, Action<HttpRequestMessage> credentials) =>
        [.. (await server.RpcAsync(http, ToolsList, credentials)).GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];

    /// <summary>The tool result's error code, or "ok" for a successful result.</summary>
    public static string Outcome(JsonElement response)
    {
        var result = response.GetProperty("result");
        return result.TryGetProperty("isError", out var isError) && isError.GetBoolean()
            ? result.GetProperty("structuredContent").GetProperty("error").GetProperty("code").GetString()!
            : "ok";
    }

    public static string Text(JsonElement response) =>
        string.Concat(response.GetProperty("result").GetProperty("content").EnumerateArray().Select(c => c.GetProperty("text").GetString()));

    /// <summary>Every audit line the server wrote for a tool, newest last.</summary>
    public static IReadOnlyList<JsonElement> AuditLines(ServerProcess server, string tool) =>
        [.. server.StderrLines.Where(l => l.Contains("\"audit\":\"tool_call\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.GetProperty("tool").GetString() == tool)];

    public static void AssertNoSecretInLogs(ServerProcess server, params string[] secrets)
    {
        foreach (var line in server.StderrLines)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A secret appears in the log: {line.Replace(secret, "<SECRET>", StringComparison.Ordinal)}");
            }
        }
    }
}
