using System.Security.Cryptography;
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

    /// <summary>Keys the issuer never published: what an attacker signs with.</summary>
    public TestKey AttackerRsa { get; } = TestKey.Rsa("attacker-rsa");

    public TestKey AttackerEc { get; } = TestKey.Ec("attacker-ec");

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public List<string> IssuedTokens { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Issuer = await TestIssuer.StartAsync();
        Issuer.Publish(RsaKey, EcKey);
        Issuer.PublishAsAttacker(AttackerRsa, AttackerEc);
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
        AttackerRsa.Dispose();
        AttackerEc.Dispose();
    }
}

/// <summary>
/// The attack list of issue 18 over real HTTP against the loopback issuer: every forged, misdirected or malformed token is
/// refused with 401 and the MCP SDK's Bearer challenge (431 for an oversized header), never 2xx or 5xx.
/// </summary>
public sealed class JwtAuthTests(JwtServerFixture fixture) : IClassFixture<JwtServerFixture>
{
    private const string MetadataUrl = "https://mcp.test.example/.well-known/oauth-protected-resource/mcp";

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string B64(string text) => TestKey.B64(Encoding.UTF8.GetBytes(text));

    private string Payload(JsonObject? claims = null) => B64((claims ?? fixture.Claims()).ToJsonString());

    private async Task<HttpStatusCode> StatusAsync(string token)
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Bearer(token));
        return response.StatusCode;
    }

    /// <summary>401, the SDK's challenge naming the canonical metadata, and (for presented credentials) invalid_token with the reason.</summary>
    private static void AssertRefused(HttpResponseMessage response, string? reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith($"Bearer resource_metadata=\"{MetadataUrl}\"", challenge, StringComparison.Ordinal);
        if (reason is not null)
        {
            Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
            Assert.Contains(reason, challenge, StringComparison.Ordinal);
        }
    }

    private async Task AssertRefusedAsync(string token, string reason = "")
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Bearer(token));
        AssertRefused(response, reason);
    }

    /// <summary>Each forged token of the attack list, by name; reason is what the challenge must say ("" when only invalid_token is asserted).</summary>
    private (string Token, string Reason) Forge(string attack)
    {
        var rsa = fixture.RsaKey;
        var attacker = fixture.AttackerRsa;
        var claims = fixture.Claims(scope: "testserver:read testserver:write");
        JsonObject Header(string alg, string? kid, params (string Name, JsonNode Value)[] extra)
        {
            var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
            if (kid is not null)
            {
                header["kid"] = kid;
            }

            foreach (var (name, value) in extra)
            {
                header[name] = value;
            }

            return header;
        }

        string Unsigned(string alg) => $"{B64(Header(alg, null).ToJsonString())}.{Payload(claims)}.";
        string Hmac(string alg, byte[] key)
        {
            var input = Encoding.ASCII.GetBytes($"{B64(Header(alg, rsa.Kid).ToJsonString())}.{Payload(claims)}");
            return $"{Encoding.ASCII.GetString(input)}.{TestKey.B64(alg == "HS256" ? HMACSHA256.HashData(key, input) : HMACSHA512.HashData(key, input))}";
        }

        string WithClaims(Action<JsonObject> change)
        {
            var changed = fixture.Claims();
            change(changed);
            return fixture.Token(rsa, "RS256", changed);
        }

        var valid = fixture.Token(rsa, "RS256", fixture.Claims());
        var parts = valid.Split('.');
        return attack switch
        {
            "alg none" => (Unsigned("none"), ""),
            "alg None" => (Unsigned("None"), ""),
            "alg NONE" => (Unsigned("NONE"), ""),
            "alg nOnE" => (Unsigned("nOnE"), ""),
            "alg none with a signature" => ($"{B64(Header("none", rsa.Kid).ToJsonString())}.{Payload(claims)}.{parts[2]}", ""),
            "HS256 keyed with the public key PEM" => (Hmac("HS256", rsa.PublicKeyPem), ""),
            "HS256 keyed with the public JWK" => (Hmac("HS256", Encoding.UTF8.GetBytes(rsa.Jwk().ToJsonString())), ""),
            "aud wrong" => (fixture.Token(rsa, "RS256", fixture.Claims(audience: "https://other.example/mcp")), "another resource (aud)"),
            "aud missing" => (fixture.Token(rsa, "RS256", fixture.Claims(audience: null)), ""),
            "aud prefix-extended" => (fixture.Token(rsa, "RS256", fixture.Claims(audience: JwtServerFixture.Resource + "-admin")), "another resource (aud)"),
            "aud a prefix of the resource" => (fixture.Token(rsa, "RS256", fixture.Claims(audience: "https://mcp.test.example")), "another resource (aud)"),
            "aud array without the resource" => (WithClaims(c => c["aud"] = new JsonArray("https://other.example/mcp", JwtServerFixture.Resource + "x")), "another resource (aud)"),
            "iss wrong" => (WithClaims(c => c["iss"] = "https://evil.example"), "another issuer"),
            "iss with a trailing slash" => (WithClaims(c => c["iss"] = fixture.Issuer.Url + "/"), "another issuer"),
            "iss missing" => (WithClaims(c => c.Remove("iss")), ""),
            "expired" => (fixture.Token(rsa, "RS256", fixture.Claims(exp: Now - 3600)), "expired"),
            "expired beyond the clock skew" => (fixture.Token(rsa, "RS256", fixture.Claims(exp: Now - 120)), "expired"),
            "no exp" => (WithClaims(c => c.Remove("exp")), "no expiry (exp)"),
            "nbf in the future" => (fixture.Token(rsa, "RS256", fixture.Claims(nbf: Now + 3600, exp: Now + 7200)), "not valid yet"),
            "unknown kid, unpublished key" => (fixture.Token(attacker, "RS256", claims), "key the issuer does not publish"),
            "unknown kid over a published key's signature" => (fixture.Token(rsa, "RS256", claims, kid: "forged-kid"), "key the issuer does not publish"),
            "known RSA kid, another key" => (fixture.Token(attacker, "RS256", claims, kid: rsa.Kid), "signature is not valid"),
            "known EC kid, another key" => (fixture.Token(fixture.AttackerEc, "ES256", claims, kid: fixture.EcKey.Kid), "signature is not valid"),
            "jku to the attacker's JWKS" => (attacker.Sign(Header("RS256", attacker.Kid, ("jku", fixture.Issuer.AttackerJwksUrl)), claims, "RS256"), ""),
            "jku to the attacker's JWKS under a published kid" => (attacker.Sign(Header("RS256", rsa.Kid, ("jku", fixture.Issuer.AttackerJwksUrl)), claims, "RS256"), ""),
            "x5u to the attacker's certificate" => (attacker.Sign(Header("RS256", attacker.Kid, ("x5u", fixture.Issuer.Url + "/attacker/cert.pem")), claims, "RS256"), ""),
            "embedded jwk of the attacker's key" => (attacker.Sign(Header("RS256", attacker.Kid, ("jwk", attacker.Jwk())), claims, "RS256"), ""),
            "embedded jwk under a published kid" => (attacker.Sign(Header("RS256", rsa.Kid, ("jwk", attacker.Jwk())), claims, "RS256"), ""),
            "kid path traversal to /dev/null" => (fixture.Token(attacker, "RS256", claims, kid: "../../../../../../dev/null"), ""),
            "kid absolute path" => (fixture.Token(attacker, "RS256", claims, kid: "/etc/passwd"), ""),
            "kid dot segments around a published kid" => (fixture.Token(rsa, "RS256", claims, kid: "./x/../" + rsa.Kid), ""),
            "kid with a NUL after a published kid" => (fixture.Token(rsa, "RS256", claims, kid: rsa.Kid + "\u0000"), ""),
            "kid SQL injection" => (fixture.Token(attacker, "RS256", claims, kid: "' OR '1'='1"), ""),
            "unknown crit header" => (rsa.Sign(Header("RS256", rsa.Kid, ("crit", new JsonArray("urn:attacker:ext")), ("urn:attacker:ext", true)), claims, "RS256"), "critical header"),
            "alg PS256 over an RS256 signature" => (rsa.Sign(Header("PS256", rsa.Kid), claims, "RS256"), ""),
            "alg ES256 naming an RSA kid" => (fixture.AttackerEc.Sign(Header("ES256", rsa.Kid), claims, "ES256"), ""),
            "alg RS256 naming an EC kid" => (attacker.Sign(Header("RS256", fixture.EcKey.Kid), claims, "RS256"), ""),
            "alg HS512 naming an RSA kid" => (Hmac("HS512", rsa.PublicKeyPem), ""),
            "zero signature" => ($"{parts[0]}.{parts[1]}.{TestKey.B64(new byte[256])}", ""),
            "stripped signature" => ($"{parts[0]}.{parts[1]}.", ""),
            "signature part missing" => ($"{parts[0]}.{parts[1]}", ""),
            "JWE with RSA-OAEP" => (string.Join('.', [B64("""{"alg":"RSA-OAEP","enc":"A256GCM","kid":"rsa-1"}"""), .. Enumerable.Range(0, 4).Select(_ => TestKey.B64(RandomNumberGenerator.GetBytes(32)))]), "Encrypted tokens (JWE) are not accepted"),
            "JWE with dir" => (string.Join('.', [B64("""{"alg":"dir","enc":"A128CBC-HS256"}"""), "", .. Enumerable.Range(0, 3).Select(_ => TestKey.B64(RandomNumberGenerator.GetBytes(16)))]), "Encrypted tokens (JWE) are not accepted"),
            "garbage a.b.c" => ("a.b.c", ""),
            "garbage dots" => ("....", ""),
            "garbage one word" => ("x", ""),
            "garbage JSON array payload" => ($"{parts[0]}.{B64("[]")}.{parts[2]}", ""),
            "garbage deeply nested header" => ($"{B64(new string('[', 5000) + new string(']', 5000))}.{parts[1]}.{parts[2]}", ""),
            "tampered payload" => ($"{parts[0]}.{Payload(claims)}.{parts[2]}", "signature is not valid"),
            "tampered header" => ($"{B64(Header("RS256", fixture.RotatedKey.Kid).ToJsonString())}.{parts[1]}.{parts[2]}", ""),
            _ => throw new ArgumentException(attack),
        };
    }

    [Theory]
    [InlineData("alg none")]
    [InlineData("alg None")]
    [InlineData("alg NONE")]
    [InlineData("alg nOnE")]
    [InlineData("alg none with a signature")]
    [InlineData("HS256 keyed with the public key PEM")]
    [InlineData("HS256 keyed with the public JWK")]
    [InlineData("alg HS512 naming an RSA kid")]
    [InlineData("aud wrong")]
    [InlineData("aud missing")]
    [InlineData("aud prefix-extended")]
    [InlineData("aud a prefix of the resource")]
    [InlineData("aud array without the resource")]
    [InlineData("iss wrong")]
    [InlineData("iss with a trailing slash")]
    [InlineData("iss missing")]
    [InlineData("expired")]
    [InlineData("expired beyond the clock skew")]
    [InlineData("no exp")]
    [InlineData("nbf in the future")]
    [InlineData("unknown kid, unpublished key")]
    [InlineData("unknown kid over a published key's signature")]
    [InlineData("known RSA kid, another key")]
    [InlineData("known EC kid, another key")]
    [InlineData("jku to the attacker's JWKS")]
    [InlineData("jku to the attacker's JWKS under a published kid")]
    [InlineData("x5u to the attacker's certificate")]
    [InlineData("embedded jwk of the attacker's key")]
    [InlineData("embedded jwk under a published kid")]
    [InlineData("kid path traversal to /dev/null")]
    [InlineData("kid absolute path")]
    [InlineData("kid dot segments around a published kid")]
    [InlineData("kid with a NUL after a published kid")]
    [InlineData("kid SQL injection")]
    [InlineData("unknown crit header")]
    [InlineData("alg PS256 over an RS256 signature")]
    [InlineData("alg ES256 naming an RSA kid")]
    [InlineData("alg RS256 naming an EC kid")]
    [InlineData("zero signature")]
    [InlineData("stripped signature")]
    [InlineData("signature part missing")]
    [InlineData("JWE with RSA-OAEP")]
    [InlineData("JWE with dir")]
    [InlineData("garbage a.b.c")]
    [InlineData("garbage dots")]
    [InlineData("garbage one word")]
    [InlineData("garbage JSON array payload")]
    [InlineData("garbage deeply nested header")]
    [InlineData("tampered payload")]
    [InlineData("tampered header")]
    public async Task A_forged_or_misdirected_token_is_refused_with_401_and_the_bearer_challenge(string attack)
    {
        var (token, reason) = Forge(attack);
        await AssertRefusedAsync(token, reason);
    }

    [Fact]
    public async Task Keys_named_by_jku_or_x5u_are_never_fetched()
    {
        foreach (var attack in new[] { "jku to the attacker's JWKS", "jku to the attacker's JWKS under a published kid", "x5u to the attacker's certificate" })
        {
            await AssertRefusedAsync(Forge(attack).Token);
        }

        Assert.Equal(0, fixture.Issuer.AttackerRequests);
    }

    [Fact]
    public async Task No_token_gets_401_with_the_bare_challenge()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList);
        AssertRefused(response, reason: null);
        Assert.Equal($"Bearer resource_metadata=\"{MetadataUrl}\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_basic_scheme_gets_401_with_the_bearer_challenge()
    {
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Headers(("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user-1:password")))));
        AssertRefused(response, reason: null);
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("token")]
    public async Task A_valid_token_in_the_query_string_is_not_accepted(string parameter)
    {
        var token = fixture.Token(fixture.RsaKey, "RS256", fixture.Claims());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Server.McpUrl, $"?{parameter}={token}"))
        {
            Content = new StringContent(ToolsList, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var response = await fixture.Http.SendAsync(request);
        AssertRefused(response, reason: null);
    }

    [Theory]
    [InlineData(17 * 1024)]
    [InlineData(64 * 1024)]
    public async Task An_oversized_token_gets_431_before_anything_parses_it(int size)
    {
        var claims = fixture.Claims();
        claims["padding"] = new string('p', size);
        var token = fixture.Token(fixture.RsaKey, "RS256", claims);
        Assert.True(token.Length > size);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, await StatusAsync(token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims())));
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
    public async Task A_token_without_a_kid_is_checked_against_every_published_key()
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.RsaKey.Sign(header, fixture.Claims(), "RS256")));
        await AssertRefusedAsync(fixture.AttackerRsa.Sign(header, fixture.Claims(), "RS256"));
    }

    [Fact]
    public async Task An_audience_array_holding_the_resource_is_accepted()
    {
        var claims = fixture.Claims();
        claims["aud"] = new JsonArray("https://other.example/mcp", JwtServerFixture.Resource);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.EcKey, "ES256", claims)));
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_scheme_name_is_case_insensitive(string scheme)
    {
        var token = fixture.Token(fixture.RsaKey, "RS256", fixture.Claims());
        using var response = await fixture.Server.PostAsync(fixture.Http, ToolsList, Headers(("Authorization", $"{scheme} {token}")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Small_clock_skew_is_tolerated()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(exp: Now - 5))));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims(nbf: Now + 5))));
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
    public async Task A_token_without_a_subject_is_refused()
    {
        var claims = fixture.Claims();
        claims.Remove("sub");
        await AssertRefusedAsync(fixture.Token(fixture.RsaKey, "RS256", claims), "names no subject");
    }

    [Fact]
    public async Task Garbage_tokens_are_refused_and_the_server_keeps_serving()
    {
        foreach (var garbage in new[] { "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", "x", "e30.e30.e30.e30" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(garbage));
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims())));
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
        while (await StatusAsync(rotated) != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the rotated key was never picked up");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_metadata_names_the_canonical_resource_and_the_issuer_at_both_well_known_paths()
    {
        foreach (var path in new[] { "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp" })
        {
            using var response = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(JwtServerFixture.Resource, metadata.GetProperty("resource").GetString());
            Assert.Equal([fixture.Issuer.Url], metadata.GetProperty("authorization_servers").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(["header"], metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(s => s.GetString()));
        }

        using var other = await fixture.Http.GetAsync(new Uri(fixture.Server.BaseUrl, "/.well-known/oauth-protected-resource/elsewhere"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task No_token_appears_in_the_logs()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fixture.Token(fixture.RsaKey, "RS256", fixture.Claims())));
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
    public async Task A_published_rsa_key_under_2048_bits_is_not_trusted()
    {
        await using var issuer = await TestIssuer.StartAsync();
        using var weak = TestKey.Rsa("weak", 1024);
        using var strong = TestKey.Rsa("strong");
        issuer.Publish(weak, strong);
        await using var server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer", ["--auth", "jwt", "--jwt-issuer", issuer.Url, "--resource-uri", JwtServerFixture.Resource]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var claims = new JsonObject { ["iss"] = issuer.Url, ["aud"] = JwtServerFixture.Resource, ["sub"] = "u", ["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60 };
        using (var refused = await server.PostAsync(http, ToolsList, Bearer(weak.Sign("RS256", claims))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var accepted = await server.PostAsync(http, ToolsList, Bearer(strong.Sign("RS256", claims)));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
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
