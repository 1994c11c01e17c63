using System.Text;

namespace Connectors.Testing;

/// <summary>
/// Raw JSON-RPC over Streamable HTTP with the headers a test chooses: for the answers the guards give before any MCP
/// client would get that far (the one place the test projects build such requests).
/// </summary>
public static class RawMcpHttp
{
    /// <summary>What the SDK's client accepts; <c>application/json</c> alone asks for a plain JSON answer.</summary>
    public const string AcceptJsonOrStream = "application/json, text/event-stream";

    public const string ToolsList = """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""";

    public static string Call(string tool, string arguments = "{}", int id = 2) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";

    public static Action<HttpRequestMessage> Bearer(string token) =>
        request => request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);

    public static Action<HttpRequestMessage> Headers(params (string Name, string Value)[] headers) =>
        request =>
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        };

    /// <summary>
    /// Posts <paramref name="body"/> to the MCP endpoint (no Accept header when <paramref name="accept"/> is null); the
    /// caller disposes the response.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient http,
        Uri mcpUrl,
        string body,
        Action<HttpRequestMessage>? configure = null,
        string? accept = "application/json",
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, mcpUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        configure?.Invoke(request);
        return await http.SendAsync(request, completion, cancellationToken);
    }
}
