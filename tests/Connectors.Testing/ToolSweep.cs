using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

    /// <summary>A call that must be refused with the stable code.</summary>
    public sealed record Refusal(string Tool, Dictionary<string, object?> Arguments, string Code);

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

    /// <summary>
    /// Makes the calls over stdio through the TypeScript SDK's client, which checks every structuredContent against the
    /// tool's outputSchema (and fails a tool that declares one but answers without it); each call must succeed and
    /// contain its expected text, and every listed tool must be called. The refusals follow: the client must accept each
    /// error answer, and its stable code must reach the client.
    /// </summary>
    /// <returns>The tools that declare an output schema.</returns>
    public static async Task<IReadOnlySet<string>> CallEveryToolWithTypeScriptClientAsync(
        string projectName, string[] args, IReadOnlyDictionary<string, string>? environment, IEnumerable<Call> calls, IEnumerable<Refusal> refusals)
    {
        var refused = refusals.ToList();
        var plan = new JsonObject
        {
            ["command"] = new JsonArray([.. ServerProcess.Command(projectName).Concat(args).Select(a => (JsonNode?)a)]),
            ["env"] = new JsonObject([.. (environment ?? new Dictionary<string, string>()).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
            ["calls"] = new JsonArray([.. calls.Select(c => (JsonNode?)new JsonObject
            {
                ["tool"] = c.Tool,
                ["arguments"] = JsonSerializer.SerializeToNode(c.Arguments),
                ["expect"] = c.Expect,
            }).Concat(refused.Select(r => (JsonNode?)new JsonObject
            {
                ["tool"] = r.Tool,
                ["arguments"] = JsonSerializer.SerializeToNode(r.Arguments),
                ["code"] = r.Code,
            }))]),
        };
        var planFile = Path.Combine(Path.GetTempPath(), $"connectors-typed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(planFile, plan.ToJsonString());
        try
        {
            var (exit, stdout, stderr) = await NodeTools.RunScriptAsync("typed-results.mjs", [planFile], TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"typed-results.mjs exited {exit}: {stderr}");
            var report = JsonNode.Parse(stdout)!;
            var listed = report["tools"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => (bool)t!["outputSchema"]!, StringComparer.Ordinal);
            var called = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (call, answer) in plan["calls"]!.AsArray().Zip(report["calls"]!.AsArray()))
            {
                var tool = (string)call!["tool"]!;
                Assert.True(listed.ContainsKey(tool), $"the table calls {tool}, which the server does not list");
                Assert.True(answer!["clientError"] is null, $"the TypeScript client refused the answer of {tool}: {answer["clientError"]}");
                var text = (string)answer["text"]!;
                if (call["code"] is { } code)
                {
                    Assert.True((bool)answer["isError"]!, $"{tool} was not refused: {text}");
                    Assert.Equal((string)code!, (string?)answer["errorCode"]);
                    continue;
                }

                Assert.False((bool)answer["isError"]!, $"{tool} failed: {text}");
                Assert.True(text.Contains((string)call["expect"]!, StringComparison.Ordinal), $"{tool} answered without \"{call["expect"]}\": {text}");
                Assert.Equal(listed[tool], (bool)answer["structured"]!);
                called.Add(tool);
            }

            var missed = listed.Keys.Except(called).Order(StringComparer.Ordinal).ToList();
            Assert.True(missed.Count == 0, $"never called: {string.Join(", ", missed)}");
            return listed.Where(t => t.Value).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        }
        finally
        {
            File.Delete(planFile);
        }
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
