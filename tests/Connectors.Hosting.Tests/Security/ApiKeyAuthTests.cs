using System.Security.Cryptography;
using static Connectors.Hosting.Tests.Security.McpHttp;

namespace Connectors.Hosting.Tests.Security;

/// <summary>A test server with --auth api-key and a keys file: a full-access key, a read-only key, a hashed key and an admin key.</summary>
public sealed class ApiKeyServerFixture : IAsyncLifetime
{
    public string AliceKey { get; } = NewKey();

    public string ReaderKey { get; } = NewKey();

    public string HashedKey { get; } = NewKey();

    public string AdminKey { get; } = NewKey();

    public string KeysFile { get; } = Path.Combine(Path.GetTempPath(), $"connectors-keys-{Guid.NewGuid():N}");

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static string NewKey() => "ck_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public async ValueTask InitializeAsync()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HashedKey)));
        await File.WriteAllTextAsync(KeysFile, $"""
            # name:key:scopes
            alice:{AliceKey}:testserver:read testserver:write
            reader:{ReaderKey}:testserver:read
            hashed:sha256:{hash}:testserver:read
            admin:{AdminKey}:testserver:admin testserver:bulk
            """);
        Server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer",
            ["--auth", "api-key", "--tool-scopes", "big_output=testserver:bulk"],
            new Dictionary<string, string> { ["CONNECTORS_API_KEYS_FILE"] = KeysFile });
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        File.Delete(KeysFile);
    }
}

public sealed class ApiKeyAuthTests(ApiKeyServerFixture fixture) : IClassFixture<ApiKeyServerFixture>
{
    private ServerProcess Server => fixture.Server;

    private async Task AssertStillServesAsync()
    {
        var response = await Server.RpcAsync(fixture.Http, Call("echo", """{"text":"alive"}"""), Bearer(fixture.AliceKey));
        Assert.Equal("alive", Text(response));
    }

    [Fact]
    public async Task A_call_without_a_token_gets_401_with_resource_metadata()
    {
        using var response = await Server.PostAsync(fixture.Http, Call("echo", """{"text":"x"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Equal($"Bearer resource_metadata=\"http://{Server.BaseUrl.Authority}/.well-known/oauth-protected-resource/mcp\"", challenge);
    }

    [Theory]
    [InlineData("not-a-key-at-all-0123456789")]
    [InlineData("ck_")]
    public async Task A_wrong_key_gets_401_invalid_token(string key)
    {
        using var response = await Server.PostAsync(fixture.Http, ToolsList, Bearer(key));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_prefix_of_a_real_key_or_the_key_with_more_appended_is_refused()
    {
        foreach (var almost in new[] { fixture.AliceKey[..^1], fixture.AliceKey[..10], fixture.AliceKey + "0" })
        {
            using var response = await Server.PostAsync(fixture.Http, ToolsList, Bearer(almost));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Theory]
    [InlineData("Basic YWxpY2U6cGFzc3dvcmQ=", 401)]
    [InlineData("Bearer", 401)]
    [InlineData("Bearer ", 401)]
    [InlineData("Bearer a b c", 400)]
    [InlineData("Bearer \"quoted\"", 400)]
    [InlineData("garbage", 401)]
    public async Task Garbage_authorization_headers_get_a_clear_status_and_the_server_keeps_serving(string header, int status)
    {
        using (var response = await Server.PostAsync(fixture.Http, ToolsList, Headers(("Authorization", header))))
        {
            Assert.Equal(status, (int)response.StatusCode);
            Assert.StartsWith("Bearer resource_metadata=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal(-32001, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetInt32());
        }

        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Two_authorization_headers_get_400_even_when_one_is_valid()
    {
        using var response = await Server.PostAsync(fixture.Http, ToolsList, Headers(("Authorization", "Bearer " + fixture.AliceKey), ("Authorization", "Bearer " + fixture.ReaderKey)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_megabyte_header_is_refused_and_the_server_keeps_serving()
    {
        try
        {
            using var response = await Server.PostAsync(fixture.Http, ToolsList, Bearer(new string('a', 1024 * 1024)));
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Kestrel may also close the connection while the oversized header is still arriving.
        }

        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/mcp", "Host", "evil.example")]
    [InlineData("/mcp", "Origin", "https://evil.example")]
    [InlineData("/.well-known/oauth-protected-resource/mcp", "Host", "evil.example")]
    public async Task A_foreign_host_or_origin_gets_403_before_any_credential_is_looked_at(string path, string header, string value)
    {
        foreach (var key in new[] { null, fixture.AliceKey })
        {
            using var request = new HttpRequestMessage(path == "/mcp" ? HttpMethod.Post : HttpMethod.Get, new Uri(Server.BaseUrl, path));
            if (path == "/mcp")
            {
                request.Content = new StringContent(ToolsList, Encoding.UTF8, "application/json");
                request.Headers.TryAddWithoutValidation("Accept", "application/json");
            }

            if (header == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }

            using var response = await fixture.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.False(response.Headers.Contains("WWW-Authenticate"));
        }
    }

    [Fact]
    public async Task The_scheme_name_is_case_insensitive()
    {
        using var response = await Server.PostAsync(fixture.Http, ToolsList, Headers(("Authorization", "bearer " + fixture.ReaderKey)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_hashed_key_is_accepted()
    {
        var names = await Server.ToolNamesAsync(fixture.Http, Bearer(fixture.HashedKey));
        Assert.Contains("echo", names);
    }

    [Fact]
    public async Task Protected_resource_metadata_is_served_at_both_well_known_paths_without_a_token()
    {
        foreach (var path in new[] { "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp" })
        {
            using var response = await fixture.Http.GetAsync(new Uri(Server.BaseUrl, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal($"http://{Server.BaseUrl.Authority}/mcp", metadata.GetProperty("resource").GetString());
            var scopes = metadata.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()).ToList();
            Assert.Equal(["testserver:admin", "testserver:bulk", "testserver:read", "testserver:write"], scopes);
            Assert.Equal(0, metadata.GetProperty("authorization_servers").GetArrayLength());
        }
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        using var response = await fixture.Http.GetAsync(new Uri(Server.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tools_list_shows_each_caller_only_the_tools_its_scopes_reach()
    {
        var alice = await Server.ToolNamesAsync(fixture.Http, Bearer(fixture.AliceKey));
        Assert.Contains("write_note", alice);
        Assert.Contains("echo", alice);
        Assert.DoesNotContain("admin_report", alice);
        Assert.DoesNotContain("big_output", alice);

        var reader = await Server.ToolNamesAsync(fixture.Http, Bearer(fixture.ReaderKey));
        Assert.Contains("echo", reader);
        Assert.DoesNotContain("write_note", reader);

        var admin = await Server.ToolNamesAsync(fixture.Http, Bearer(fixture.AdminKey));
        Assert.Equal(["admin_report", "big_output"], admin.Order());
    }

    [Fact]
    public async Task A_tools_list_that_depends_on_the_callers_scopes_may_be_cached_only_by_that_caller()
    {
        var result = (await Server.RpcAsync(fixture.Http, ToolsList, Bearer(fixture.AliceKey))).GetProperty("result");
        Assert.Equal("private", result.GetProperty("cacheScope").GetString());
        Assert.Equal(600_000, result.GetProperty("ttlMs").GetInt64());
    }

    [Fact]
    public async Task A_call_outside_the_callers_scope_answers_permission_denied_naming_the_scope()
    {
        var denied = await Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"x"}"""), Bearer(fixture.ReaderKey));
        Assert.Equal("permission_denied", Outcome(denied));
        Assert.Contains("'testserver:write'", Text(denied), StringComparison.Ordinal);

        var metaScoped = await Server.RpcAsync(fixture.Http, Call("admin_report"), Bearer(fixture.AliceKey));
        Assert.Equal("permission_denied", Outcome(metaScoped));
        Assert.Contains("'testserver:admin'", Text(metaScoped), StringComparison.Ordinal);

        var allowed = await Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"x"}"""), Bearer(fixture.AliceKey));
        Assert.Equal("ok", Outcome(allowed));
        Assert.Equal("all is well", Text(await Server.RpcAsync(fixture.Http, Call("admin_report"), Bearer(fixture.AdminKey))));
    }

    [Fact]
    public async Task Each_tool_call_leaves_one_audit_line_with_identity_digest_and_outcome_but_no_argument_values()
    {
        var password = "hunter2-" + Guid.NewGuid().ToString("N");
        var response = await Server.RpcAsync(fixture.Http, Call("sign_in", $$"""{"user":"bob","password":"{{password}}"}"""), Bearer(fixture.ReaderKey));
        Assert.Equal("ok", Outcome(response));
        await HttpTransportTests.WaitUntilAsync(() => AuditLines(Server, "sign_in").Count > 0);

        var audit = AuditLines(Server, "sign_in")[^1];
        Assert.Equal("reader", audit.GetProperty("identity").GetString());
        Assert.Equal("api-key", audit.GetProperty("authMethod").GetString());
        Assert.Equal("connectors-testserver", audit.GetProperty("server").GetString());
        Assert.Equal("ok", audit.GetProperty("outcome").GetString());
        Assert.Equal(["password", "user"], audit.GetProperty("arguments").GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(["password"], audit.GetProperty("arguments").GetProperty("redacted").EnumerateArray().Select(n => n.GetString()));
        Assert.Matches("^[0-9a-f]{64}$", audit.GetProperty("arguments").GetProperty("sha256").GetString());
        Assert.Matches("^[0-9a-f]{16}$", audit.GetProperty("correlationId").GetString());
        Assert.True(audit.GetProperty("durationMs").GetDouble() >= 0);
        Assert.True(DateTimeOffset.TryParse(audit.GetProperty("time").GetString(), out _));
        AssertNoSecretInLogs(Server, password);

        await Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"x"}"""), Bearer(fixture.ReaderKey));
        await HttpTransportTests.WaitUntilAsync(() => AuditLines(Server, "write_note").Any(a => a.GetProperty("outcome").GetString() == "permission_denied"));
    }

    [Fact]
    public async Task No_key_ever_appears_in_the_logs()
    {
        foreach (var key in new[] { fixture.AliceKey, fixture.ReaderKey, fixture.HashedKey, fixture.AdminKey })
        {
            await Server.RpcAsync(fixture.Http, Call("echo", """{"text":"x"}"""), Bearer(key));
        }

        using (await Server.PostAsync(fixture.Http, ToolsList, Bearer(fixture.AliceKey + "x")))
        {
        }

        await Server.RpcAsync(fixture.Http, Call("echo", $$"""{"text":"{{fixture.AliceKey}}"}"""), Bearer(fixture.AliceKey));
        AssertNoSecretInLogs(Server, fixture.AliceKey, fixture.ReaderKey, fixture.HashedKey, fixture.AdminKey, fixture.AliceKey[3..20]);
    }
}
