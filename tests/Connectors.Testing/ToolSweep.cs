using System.Net;
using System.Security.Cryptography;
using System.Text;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit;

namespace Connectors.Testing;

/// <summary>
/// Every tool a server lists, called once through the SDK's client over a real transport. Aimed at the published Native
/// AOT servers (eng/test.sh runs these tests again with <see cref="ServerProcess.PublishedServersVariable"/>): a type the
/// trimmer removed or a reflection path only fails when the tool that uses it runs, so the sweep fails when the server
/// lists a tool the table does not call.
/// </summary>
public static class ToolSweep
{
    /// <summary>Both transports a server serves; the HTTP one behind API-key authentication.</summary>
    public static TheoryData<string> Transports() => new("stdio", "http");

    /// <summary>One call: the tool, its arguments, and what its (successful) answer must contain.</summary>
    public sealed record Call(string Tool, Dictionary<string, object?> Arguments, string Expect);

    /// <summary>
    /// Makes the calls in order, each of which must succeed and contain its expected text, and fails when a listed
    /// tool was never called or a call names a tool the server does not list.
    /// </summary>
    public static async Task CallEveryToolAsync(McpClient client, IEnumerable<Call> calls)
    {
        var listed = (await client.ListToolsAsync()).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var called = new HashSet<string>(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            Assert.True(listed.Contains(call.Tool), $"the table calls {call.Tool}, which the server does not list");
            var result = await client.CallToolAsync(call.Tool, call.Arguments);
            Assert.True(result.IsError != true, $"{call.Tool} failed: {result.Text()}");
            Assert.True(result.Text().Contains(call.Expect, StringComparison.Ordinal), $"{call.Tool} answered without \"{call.Expect}\": {result.Text()}");
            called.Add(call.Tool);
        }

        var missed = listed.Except(called).Order(StringComparer.Ordinal).ToList();
        Assert.True(missed.Count == 0, $"never called: {string.Join(", ", missed)}");
    }

    /// <summary>Calls a tool that must be refused with one of the given stable codes, and never with a stack trace.</summary>
    public static async Task<CallToolResult> RefusedAsync(McpClient client, string tool, Dictionary<string, object?> arguments, params string[] codes)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.True(result.IsError == true, $"{tool} was not refused: {result.Text()}");
        Assert.True(codes.Contains(result.ErrorCode()), $"{tool} refused with {result.ErrorCode()}, expected {string.Join(" or ", codes)}: {result.Text()}");
        Assert.DoesNotContain("   at ", result.Text(), StringComparison.Ordinal);
        return result;
    }
}

/// <summary>
/// A server process with the SDK's client connected over stdio, or over Streamable HTTP with API-key authentication on
/// (an unauthenticated request is checked to be refused first).
/// </summary>
public sealed class ConnectedServer : IAsyncDisposable
{
    private readonly string? _keysFile;

    private ConnectedServer(McpClient client, ServerProcess? http, string? keysFile)
    {
        Client = client;
        Http = http;
        _keysFile = keysFile;
    }

    public McpClient Client { get; }

    /// <summary>The HTTP server process, or null over stdio.</summary>
    public ServerProcess? Http { get; }

    public static async Task<ConnectedServer> StartAsync(string transport, string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (transport == "stdio")
        {
            return new ConnectedServer(await ServerProcess.ConnectStdioAsync(projectName, args, environment), null, null);
        }

        Assert.Equal("http", transport);
        var key = "ck_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var keysFile = Path.Combine(Path.GetTempPath(), $"connectors-sweep-keys-{Guid.NewGuid():N}");
        // A key without its own scopes holds the server's read and write scopes.
        await File.WriteAllTextAsync(keysFile, $"sweep:{key}\n");
        var serverEnvironment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["CONNECTORS_API_KEYS_FILE"] = keysFile };
        var server = await ServerProcess.StartHttpAsync(projectName, ["--auth", "api-key", .. args], serverEnvironment);
        try
        {
            using (var http = new HttpClient())
            using (var anonymous = new HttpRequestMessage(HttpMethod.Post, server.McpUrl))
            {
                anonymous.Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json");
                anonymous.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
                using var refused = await http.SendAsync(anonymous);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = server.McpUrl,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
            }));
            return new ConnectedServer(client, server, keysFile);
        }
        catch
        {
            await server.DisposeAsync();
            File.Delete(keysFile);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (Http is not null)
        {
            await Http.DisposeAsync();
        }

        if (_keysFile is not null)
        {
            File.Delete(_keysFile);
        }
    }
}
