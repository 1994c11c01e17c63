using System.Net.Http.Headers;
using System.Text;
using ModelContextProtocol.Client;

namespace Connectors.Container.Tests;

/// <summary>Requests to a server's Streamable HTTP endpoint, as a client outside the container makes them.</summary>
public static class McpHttp
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A bare tools/list, with or without a key and an Origin header: for the answers the guards give.</summary>
    public static async Task<HttpResponseMessage> ToolsListAsync(Uri mcp, string? key, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, mcp)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await s_http.SendAsync(request);
    }

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
