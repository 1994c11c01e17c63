using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
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
    /// <summary>Both transports a server serves, HTTP once behind each authentication scheme a team pool uses.</summary>
    public static TheoryData<string> Transports() => new(ConnectedServer.Stdio, ConnectedServer.HttpApiKey, ConnectedServer.HttpJwt);

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
/// A server process with the SDK's client connected over stdio, or over Streamable HTTP with API-key or JWT
/// authentication on (the credential holds the server's read and write scopes; requests without one, or with a token
/// signed by a key the issuer never published, are checked to be refused first).
/// </summary>
public sealed class ConnectedServer : IAsyncDisposable
{
    public const string Stdio = "stdio";
    public const string HttpApiKey = "http+api-key";
    public const string HttpJwt = "http+jwt";

    private const string Resource = "https://mcp.test.example/mcp";
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<string> _files = [];

    private ConnectedServer()
    {
    }

    public McpClient Client { get; private set; } = null!;

    /// <summary>The HTTP server process, or null over stdio.</summary>
    public ServerProcess? Http { get; private set; }

    public static async Task<ConnectedServer> StartAsync(string transport, string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var connected = new ConnectedServer();
        try
        {
            await connected.ConnectAsync(transport, projectName, args, environment);
            return connected;
        }
        catch
        {
            await connected.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync(string transport, string projectName, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        if (transport == Stdio)
        {
            Client = await ServerProcess.ConnectStdioAsync(projectName, args, environment);
            return;
        }

        var serverEnvironment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        string credential, forged;
        string[] authArgs;
        if (transport == HttpApiKey)
        {
            credential = NewKey();
            forged = NewKey();
            var keysFile = Path.Combine(Path.GetTempPath(), $"connectors-sweep-keys-{Guid.NewGuid():N}");
            _files.Add(keysFile);
            // A key without its own scopes holds the server's read and write scopes.
            await File.WriteAllTextAsync(keysFile, $"sweep:{credential}\n");
            serverEnvironment["CONNECTORS_API_KEYS_FILE"] = keysFile;
            authArgs = ["--auth", "api-key"];
        }
        else
        {
            Assert.Equal(HttpJwt, transport);
            var issuer = await TestIssuer.StartAsync();
            _owned.Add(issuer);
            using var key = TestKey.Rsa("sweep-1");
            using var attacker = TestKey.Rsa("sweep-1");
            issuer.Publish(key);
            // The scope names of the server: connectors-<name> holds <name>:read and <name>:write.
            var name = projectName["Connectors.".Length..].ToLowerInvariant();
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var claims = new JsonObject { ["iss"] = issuer.Url, ["sub"] = "sweeper", ["aud"] = Resource, ["scope"] = $"{name}:read {name}:write", ["iat"] = now, ["exp"] = now + 900 };
            credential = key.Sign("RS256", claims);
            forged = attacker.Sign("RS256", claims);
            authArgs = ["--auth", "jwt", "--jwt-issuer", issuer.Url, "--resource-uri", Resource];
        }

        Http = await ServerProcess.StartHttpAsync(projectName, [.. authArgs, .. args], serverEnvironment);
        _owned.Add(Http);
        if (ServerProcess.PublishedServersDirectory is { } published)
        {
            // What runs is the published executable itself, not a dotnet host.
            var image = new FileInfo($"/proc/{Http.ProcessId}/exe").ResolveLinkTarget(returnFinalTarget: false)!.FullName;
            Assert.StartsWith(Path.GetFullPath(published), image, StringComparison.Ordinal);
        }

        using (var http = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await ListToolsStatusAsync(http, null));
            Assert.Equal(HttpStatusCode.Unauthorized, await ListToolsStatusAsync(http, forged));
        }

        Client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Http.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + credential },
        }));
    }

    private async Task<HttpStatusCode> ListToolsStatusAsync(HttpClient http, string? bearer)
    {
        using var response = await RawMcpHttp.PostAsync(
            http, Http!.McpUrl, RawMcpHttp.ToolsList, bearer is null ? null : RawMcpHttp.Bearer(bearer), RawMcpHttp.AcceptJsonOrStream);
        return response.StatusCode;
    }

    private static string NewKey() => "ck_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        // The server before the issuer it fetches keys from.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }
}
