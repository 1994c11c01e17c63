using static Connectors.Hosting.Tests.Security.McpHttp;

namespace Connectors.Hosting.Tests.Security;

public sealed class GatewayServerFixture : IAsyncLifetime
{
    public string Secret { get; } = "gw_" + Guid.NewGuid().ToString("N");

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask InitializeAsync() =>
        Server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer",
            ["--auth", "gateway", "--gateway-user-header", "X-Forwarded-User"],
            new Dictionary<string, string> { ["CONNECTORS_GATEWAY_SECRET"] = Secret });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class GatewayAuthTests(GatewayServerFixture fixture) : IClassFixture<GatewayServerFixture>
{
    private Action<HttpRequestMessage> Gateway(string user, string roles, string? secret = null) =>
        Headers(("X-Mcp-Gateway-Secret", secret ?? fixture.Secret), ("X-Forwarded-User", user), ("X-Mcp-Roles", roles));

    [Fact]
    public async Task Identity_headers_without_the_gateway_secret_get_401()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Headers(("X-Forwarded-User", "mallory"), ("X-Mcp-Roles", "testserver:write")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData("")]
    public async Task A_wrong_gateway_secret_gets_401(string secret)
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Gateway("mallory", "testserver:write", secret));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_prefix_of_the_gateway_secret_gets_401()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Gateway("mallory", "testserver:write", fixture.Secret[..^1]));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_secret_without_a_user_gets_401()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Headers(("X-Mcp-Gateway-Secret", fixture.Secret)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_gateways_user_and_roles_decide_what_the_caller_sees_and_may_call()
    {
        var names = await fixture.Server.ToolNamesAsync(fixture.Http, Gateway("carol", "testserver:read, other:thing"));
        Assert.Contains("echo", names);
        Assert.DoesNotContain("write_note", names);

        var denied = await fixture.Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"x"}"""), Gateway("carol", "testserver:read"));
        Assert.Equal("permission_denied", Outcome(denied));
        var allowed = await fixture.Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"x"}"""), Gateway("dave", "testserver:write"));
        Assert.Equal("ok", Outcome(allowed));

        await HttpTransportTests.WaitUntilAsync(() => AuditLines(fixture.Server, "write_note").Any(a => a.GetProperty("identity").GetString() == "dave"));
        var audit = AuditLines(fixture.Server, "write_note").Last(a => a.GetProperty("identity").GetString() == "dave");
        Assert.Equal("gateway", audit.GetProperty("authMethod").GetString());
        AssertNoSecretInLogs(fixture.Server, fixture.Secret);
    }
}
