namespace Connectors.Container.Tests;

/// <summary>Requests to a server's Streamable HTTP endpoint, as a client outside the container makes them.</summary>
public static class McpHttp
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A bare tools/list, with or without a key and an Origin header: for the answers the guards give.</summary>
    public static Task<HttpResponseMessage> ToolsListAsync(Uri mcp, string? key, string? origin = null) =>
        RawMcpHttp.PostAsync(s_http, mcp, RawMcpHttp.ToolsList, RawMcpHttp.Headers([
            .. key is null ? [] : new[] { ("Authorization", "Bearer " + key) },
            .. origin is null ? [] : new[] { ("Origin", origin) },
        ]), RawMcpHttp.AcceptJsonOrStream);

    public static Task<HttpResponseMessage> GetAsync(Uri url) => s_http.GetAsync(url);

    /// <summary>The SDK's client over Streamable HTTP with an API key: initialize, then whatever the test calls.</summary>
    public static Task<McpClient> ConnectAsync(Uri mcp, string key) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = mcp,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }));

    /// <summary>Polls a URL until it answers 200; returns false when it has not by the deadline.</summary>
    public static async Task<bool> WaitForOkAsync(Uri url, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await s_http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet (or the port proxy answers before the server does).
            }

            await Task.Delay(20);
        }

        return false;
    }
}
