using System.Net.Http.Headers;
using ModelContextProtocol;

namespace Connectors.Resilience.Tests;

/// <summary>
/// Tool calls as raw Streamable HTTP requests (one JSON-RPC message per POST, plain JSON answers), so a test sees every
/// protocol-level failure and can abort a request the way a client that goes away does.
/// </summary>
internal static class McpHttp
{
    public static HttpRequestMessage ToolCallRequest(Uri mcpUrl, string id, string tool, object arguments, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, mcpUrl)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name = tool, arguments } }),
                Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        return request;
    }

    /// <summary>Sends one tools/call and reads its answer; transport failures and protocol errors come back as <see cref="ToolAnswer.Problem"/>.</summary>
    public static async Task<ToolAnswer> CallToolAsync(HttpClient client, Uri mcpUrl, string id, string tool, object arguments, string? bearer = null, CancellationToken cancellationToken = default)
    {
        using var request = ToolCallRequest(mcpUrl, id, tool, arguments, bearer);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return ToolAnswer.Read(id, response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new ToolAnswer(null, $"{id} {tool}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Calls a tool until it succeeds (the upstream came back, a Retry-After passed), within <paramref name="patience"/>.</summary>
    public static async Task<CallToolResult> CallUntilSuccessAsync(HttpClient client, Uri mcpUrl, string tool, object arguments, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        for (var attempt = 1; ; attempt++)
        {
            var answer = await CallToolAsync(client, mcpUrl, $"until-{attempt}", tool, arguments);
            if (answer.Result is { IsError: not true } result)
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{tool} did not succeed within {patience}; last answer: {answer.Problem ?? answer.Result?.ToString()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The server stayed healthy: the same process answers /readyz with 200 and the tool succeeds again (once any Retry-After passed).</summary>
    public static async Task<CallToolResult> AssertServesAsync(HttpClient client, ServerProcess server, string tool, object arguments)
    {
        Assert.Equal(HttpStatusCode.OK, await ReadyzAsync(client, server.BaseUrl));
        var result = await CallUntilSuccessAsync(client, server.McpUrl, tool, arguments, TimeSpan.FromMinutes(2));
        Assert.False(server.HasExited);
        return result;
    }

    /// <summary>GET /readyz's status code.</summary>
    public static async Task<HttpStatusCode> ReadyzAsync(HttpClient client, Uri baseUrl)
    {
        using var response = await client.GetAsync(new Uri(baseUrl, "/readyz"));
        return response.StatusCode;
    }
}

/// <summary>A tool call's answer: its result, or what went wrong at the HTTP or JSON-RPC level.</summary>
internal sealed record ToolAnswer(CallToolResult? Result, string? Problem)
{
    public static ToolAnswer Read(string id, HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK)
        {
            return new ToolAnswer(null, $"{id}: HTTP {(int)status} {body}");
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!root.TryGetProperty("id", out var answeredId) || answeredId.GetString() != id || !root.TryGetProperty("result", out var result))
            {
                return new ToolAnswer(null, $"{id}: not the answer to this call: {body}");
            }

            return new ToolAnswer(result.Deserialize<CallToolResult>(McpJsonUtilities.DefaultOptions), null);
        }
        catch (JsonException e)
        {
            return new ToolAnswer(null, $"{id}: not JSON-RPC ({e.Message}): {body}");
        }
    }

    /// <summary>The result (an isError one included), or a test failure naming what went wrong instead.</summary>
    public CallToolResult Answered => Result ?? throw new Xunit.Sdk.XunitException(Problem);
}
