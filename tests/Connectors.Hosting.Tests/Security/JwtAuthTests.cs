using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectors.Testing;
using static Connectors.Hosting.Tests.Security.McpHttp;

namespace Connectors.Hosting.Tests.Security;

/// <summary>A test issuer with three published keys, and a test server trusting it with --auth jwt.</summary>
public sealed class JwtServerFixture : IAsyncLifetime
{
    public const string Resource = "https://mcp.test.example/mcp";

    public TestIssuer Issuer { get; private set; } = null!;

    public TestKey RsaKey { get; } = TestKey.Rsa("rsa-1");

    public TestKey EcKey { get; } = TestKey.Ec("ec-1");

    public TestKey RotatedKey { get; } = TestKey.Rsa("rsa-2");

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public List<string> IssuedTokens { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Issuer = await TestIssuer.StartAsync();
        Issuer.Publish(RsaKey, EcKey);
        Server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer", ["--auth", "jwt", "--jwt-issuer", Issuer.Url, "--resource-uri", Resource]);
    }

    public JsonObject Claims(string scope = "testserver:read", string? audience = Resource, long? exp = null, long? nbf = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject { ["iss"] = Issuer.Url, ["sub"] = "user-1", ["scope"] = scope, ["exp"] = exp ?? now + 300, ["iat"] = now };
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        if (nbf is not null)
        {
            claims["nbf"] = nbf;
        }

        return claims;
    }

    public string Token(TestKey key, string alg, JsonObject claims, string? kid = null)
    {
        var token = key.Sign(alg, claims, kid);
        lock (IssuedTokens)
        {
            IssuedTokens.Add(token);
        }

        return token;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Issuer.DisposeAsync();
        RsaKey.Dispose();
        EcKey.Dispose();
        RotatedKey.Dispose();
    }
}

public sealed class JwtAuthTests(JwtServerFixture fixture) : IClassFixture<JwtServerFixture>
{
    private static readonly long s_now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task<(HttpStatusCode Status, string Challenge)> TryAsync(string token)
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Bearer(token));
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString());
    }

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var (status, challenge) = await TryAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        Assert.Contains(reason, challenge, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    public async Task A_token_signed_by_a_published_key_is_accepted(string alg)
    {
        var key = alg == "ES256" ? fixture.EcKey : fixture.RsaKey;
        var names = await fixture.Server.ToolNamesAsync(fixture.Http, Bearer(fixture.Token(key, alg, fixture.Claims())));
        Assert.Contains("echo", names);
        Assert.DoesNotContain("write_note", names);
    }

    [Fact]
    public async Task Scopes_come_from_scope_or_scp_and_the_subject_is_the_audited_identity()
    {
        var claims = fixture.Claims(scope: "");
        claims["sub"] = "user-scp";
        claims["scp"] = new JsonArray("testserver:write");
        var token = fixture.Token(fixture.RsaKey, "RS256", claims);
        var response = await fixture.Server.RpcAsync(fixture.Http, Call("write_note", """{"text":"jwt"}"""), Bearer(token));
        Assert.Equal("ok", Outcome(response));
        await HttpTransportTests.WaitUntilAsync(() => AuditLines(fixture.Server, "write_note").Any(a => a.GetProperty("identity").GetString() == "user-scp"));
        Assert.Equal("jwt", AuditLines(fixture.Server, "write_note")[^1].GetProperty("authMethod").GetString());
    }

    [Fact]
    public async Task A_token_without_a_signature_alg_none_is_refused()
    {
        var header = TestKey.B64(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        var payload = TestKey.B64(Encoding.UTF8.GetBytes(fixture.Claims().ToJsonString()));
        await AssertRefusedAsync($"{header}.{payload}.", "not a signed JWT");
        var noneWithSignature = $"{header}.{payload}.{TestKey.B64([1, 2, 3])}";
        await AssertRefusedAsync(noneWithSignature, "algorithm is not accepted");
    }

    [Fact]
    public async Task An_hmac_token_keyed_with_the_public_key_is_refused()
    {
        var header = TestKey.B64(Encoding.UTF8.GetBytes($$"""{"alg":"HS256","typ":"JWT","kid":"{{fixture.RsaKey.Kid}}"}"""));
        var payload = TestKey.B64(Encoding.UTF8.GetBytes(fixture.Claims(scope: "testserver:write").ToJsonString()));
        var signature = HMACSHA256.HashData(fixture.RsaKey.PublicKeyPem, Encoding.ASCII.GetBytes($"{header}.{payload}"));
        await AssertRefusedAsync($"{header}.{payload}.{TestKey.B64(signature)}", "algorithm is not accepted");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(audience: "https://other.example/mcp")), "another resource");
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(audience: null)), "another resource");
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var claims = fixture.Claims();
        claims["iss"] = "https://evil.example";
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", claims), "another issuer");
    }

    [Fact]
    public async Task An_expired_token_is_refused_but_small_clock_skew_is_tolerated()
    {
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(exp: s_now - 3600)), "expired");
        var (status, _) = await TryAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(exp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5)));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task A_token_not_valid_yet_is_refused()
    {
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(nbf: s_now + 3600, exp: s_now + 7200)), "not valid yet");
    }

    [Fact]
    public async Task A_token_with_a_tampered_payload_is_refused()
    {
        var token = fixture.Token(fixture.RsaKey, "RS256", fixture.Claims());
        var parts = token.Split('.');
        var forged = TestKey.B64(Encoding.UTF8.GetBytes(fixture.Claims(scope: "testserver:read testserver:write").ToJsonString()));
        await AssertRefusedAsync($"{parts[0]}.{forged}.{parts[2]}", "signature is not valid");
    }

    [Fact]
    public async Task An_encrypted_jwe_token_is_refused_before_parsing()
    {
        var jwe = string.Join('.', Enumerable.Range(0, 5).Select(i => TestKey.B64(RandomNumberGenerator.GetBytes(32))));
        await AssertRefusedAsync(jwe, "Encrypted tokens (JWE) are not accepted");
    }

    [Fact]
    public async Task A_token_over_16_kilobytes_is_refused_before_parsing()
    {
        var claims = fixture.Claims();
        claims["padding"] = new string('p', 17 * 1024);
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", claims), "longer than 16 KB");
    }

    [Fact]
    public async Task Garbage_tokens_are_refused_and_the_server_keeps_serving()
    {
        foreach (var garbage in new[] { "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", "x" })
        {
            var (status, _) = await TryAsync(garbage);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }

        var (ok, _) = await TryAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims()));
        Assert.Equal(HttpStatusCode.OK, ok);
    }

    [Fact]
    public async Task An_unknown_kid_is_refused_refreshes_rarely_and_a_rotated_key_is_accepted_without_restart()
    {
        var rotated = fixture.Token(fixture.RotatedKey, "RS256", fixture.Claims());
        await AssertRefusedAsync(rotated, "key the issuer does not publish");
        var requests = fixture.Issuer.JwksRequests;
        for (var i = 0; i < 20; i++)
        {
            await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(), kid: $"forged-{i}"), "key the issuer does not publish");
        }

        Assert.InRange(fixture.Issuer.JwksRequests, requests, requests + 1);

        fixture.Issuer.Publish(fixture.RsaKey, fixture.EcKey, fixture.RotatedKey);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await TryAsync(rotated)).Status != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the rotated key was never picked up");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_challenge_and_metadata_name_the_canonical_resource_and_the_issuer()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer resource_metadata=\"https://mcp.test.example/.well-known/oauth-protected-resource/mcp\"", response.Headers.WwwAuthenticate.ToString());

        using var metadataResponse = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, "/.well-known/oauth-protected-resource/mcp"));
        var metadata = JsonDocument.Parse(await metadataResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(JwtServerFixture.Resource, metadata.GetProperty("resource").GetString());
        Assert.Equal([fixture.Issuer.Url], metadata.GetProperty("authorization_servers").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task No_token_appears_in_the_logs()
    {
        var (status, _) = await TryAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims()));
        Assert.Equal(HttpStatusCode.OK, status);
        string[] tokens;
        lock (fixture.IssuedTokens)
        {
            tokens = [.. fixture.IssuedTokens.Select(t => t.Split('.')[2][..24])];
        }

        AssertNoSecretInLogs(fixture.Server, tokens);
    }
}

public sealed class JwtUnavailableIssuerTests
{
    [Fact]
    public async Task When_the_issuers_keys_cannot_be_loaded_requests_get_503_with_retry_after()
    {
        await using var server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer", ["--auth", "jwt", "--jwt-issuer", "http://127.0.0.1:1", "--resource-uri", JwtServerFixture.Resource]);
        using var key = TestKey.Rsa("k");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var token = key.Sign("RS256", new JsonObject { ["iss"] = "http://127.0.0.1:1", ["aud"] = JwtServerFixture.Resource, ["sub"] = "u", ["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60 });
        using var response = await server.PostAsync(http, ToolsList, Bearer(token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_configured_jwks_uri_is_used_without_discovery()
    {
        await using var issuer = await TestIssuer.StartAsync();
        using var key = TestKey.Ec("ec");
        issuer.Publish(key);
        await using var server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer",
            ["--auth", "jwt", "--jwt-issuer", "https://idp.example.com", "--jwt-jwks-uri", issuer.Url + "/jwks", "--resource-uri", JwtServerFixture.Resource]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var token = key.Sign("ES256", new JsonObject
        {
            ["iss"] = "https://idp.example.com", ["aud"] = new JsonArray("other", JwtServerFixture.Resource), ["sub"] = "u", ["scope"] = "testserver:read",
            ["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60,
        });
        Assert.Contains("echo", await server.ToolNamesAsync(http, Bearer(token)));
    }
}
