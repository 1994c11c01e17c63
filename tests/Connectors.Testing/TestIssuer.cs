using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing;

/// <summary>
/// A tiny authorization server on 127.0.0.1: OIDC discovery and a JWKS whose keys a test can rotate, plus an attacker's
/// JWKS (<c>/attacker/jwks</c>) that tokens can point at with <c>jku</c> or <c>x5u</c>; it counts what fetches it.
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private JsonArray _keys = [];
    private int _jwksRequests;
    private int _attackerRequests;
    private JsonArray _attackerKeys = [];

    private TestIssuer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public int AttackerRequests => Volatile.Read(ref _attackerRequests);

    public string AttackerJwksUrl => Url + "/attacker/jwks";

    public static async Task<TestIssuer> StartAsync()
    {
        var issuer = new TestIssuer(LoopbackWebApp.Create());
        issuer._app.MapGet("/.well-known/openid-configuration", () => Results.Text(
            new JsonObject { ["issuer"] = issuer.Url, ["jwks_uri"] = issuer.Url + "/jwks" }.ToJsonString(), "application/json"));
        issuer._app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer._jwksRequests);
            lock (issuer._gate)
            {
                return Results.Text(new JsonObject { ["keys"] = issuer._keys.DeepClone() }.ToJsonString(), "application/json");
            }
        });
        issuer._app.MapGet("/attacker/{**rest}", () =>
        {
            Interlocked.Increment(ref issuer._attackerRequests);
            lock (issuer._gate)
            {
                return Results.Text(new JsonObject { ["keys"] = issuer._attackerKeys.DeepClone() }.ToJsonString(), "application/json");
            }
        });
        issuer.Url = await LoopbackWebApp.StartAsync(issuer._app);
        return issuer;
    }

    public void Publish(params TestKey[] keys)
    {
        lock (_gate)
        {
            _keys = [.. keys.Select(k => (JsonNode)k.Jwk())];
        }
    }

    public void PublishAsAttacker(params TestKey[] keys)
    {
        lock (_gate)
        {
            _attackerKeys = [.. keys.Select(k => (JsonNode)k.Jwk())];
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A signing key made in the test: RSA (RS256/PS256) or EC P-256 (ES256).</summary>
public sealed class TestKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private TestKey(string kid, RSA? rsa, ECDsa? ecdsa)
    {
        Kid = kid;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    public string Kid { get; }

    public static TestKey Rsa(string kid, int bits = 2048) => new(kid, RSA.Create(bits), null);

    public static TestKey Ec(string kid) => new(kid, null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public byte[] PublicKeyPem => Encoding.ASCII.GetBytes(_rsa is not null ? _rsa.ExportSubjectPublicKeyInfoPem() : _ecdsa!.ExportSubjectPublicKeyInfoPem());

    public JsonObject Jwk()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = Kid, ["use"] = "sig", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }

        var q = _ecdsa!.ExportParameters(false).Q;
        return new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = B64(q.X!), ["y"] = B64(q.Y!) };
    }

    /// <summary>A compact JWS: header {alg, kid, typ} and the given claims, signed with this key.</summary>
    public string Sign(string alg, JsonObject claims, string? kid = null) =>
        Sign(new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid ?? Kid }, claims, alg);

    /// <summary>A compact JWS with exactly this header, signed with this key by <paramref name="signWith"/> whatever the header says.</summary>
    public string Sign(JsonObject header, JsonObject claims, string signWith)
    {
        var input = $"{B64(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{B64(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var data = Encoding.ASCII.GetBytes(input);
        var signature = signWith switch
        {
            "RS256" => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "ES256" => _ecdsa!.SignData(data, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException(signWith),
        };
        return $"{input}.{B64(signature)}";
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
