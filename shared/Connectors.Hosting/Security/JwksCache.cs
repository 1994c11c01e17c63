using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Connectors.Hosting.Security;

/// <summary>
/// The issuer's signing keys, from its JWKS (a configured <c>jwks_uri</c>, or the one its OIDC discovery document
/// names). Fetched on first use, re-fetched hourly, and at once when a token names an unknown <c>kid</c> — at most
/// once per 10 s, so forged key ids cannot make this server hammer the issuer.
/// </summary>
internal sealed class JwksCache(string issuer, string configuredJwksUri, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan s_maxAge = TimeSpan.FromHours(1);
    private static readonly TimeSpan s_unknownKidRefreshInterval = TimeSpan.FromSeconds(10);
    private static readonly HttpClient s_http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
        MaxResponseContentBufferSize = 1024 * 1024,
    };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SigningKey>? _keys;
    private DateTimeOffset _fetchedAt;
    private DateTimeOffset _lastUnknownKidRefresh = DateTimeOffset.MinValue;
    private string? _jwksUri = configuredJwksUri.Length > 0 ? configuredJwksUri : null;

    public void Dispose() => _gate.Dispose();

    /// <summary>The published keys that may have signed a token with this <c>kid</c> (any, when it names none) and algorithm.</summary>
    public async Task<IReadOnlyList<SigningKey>> FindAsync(string? kid, string alg, CancellationToken cancellationToken)
    {
        var keys = _keys;
        if (keys is null || time.GetUtcNow() - _fetchedAt > s_maxAge)
        {
            keys = await RefreshAsync(force: false, cancellationToken);
        }

        var matches = Match(keys, kid, alg);
        if (matches.Count == 0 && kid is not null && time.GetUtcNow() - _lastUnknownKidRefresh >= s_unknownKidRefreshInterval)
        {
            _lastUnknownKidRefresh = time.GetUtcNow();
            matches = Match(await RefreshAsync(force: true, cancellationToken), kid, alg);
        }

        return matches;
    }

    private static List<SigningKey> Match(IReadOnlyList<SigningKey> keys, string? kid, string alg) =>
        [.. keys.Where(k => (kid is null || k.Id == kid) && k.Supports(alg))];

    private async Task<IReadOnlyList<SigningKey>> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Another request may have refreshed while this one waited.
            if (_keys is { } current && (force ? time.GetUtcNow() - _fetchedAt < TimeSpan.FromSeconds(1) : time.GetUtcNow() - _fetchedAt <= s_maxAge))
            {
                return current;
            }

            try
            {
                _jwksUri ??= await DiscoverJwksUriAsync(cancellationToken);
                using var document = await GetJsonAsync(_jwksUri, cancellationToken);
                var keys = document.RootElement.TryGetProperty("keys", out var array) && array.ValueKind == JsonValueKind.Array
                    ? array.EnumerateArray().Select(SigningKey.TryCreate).OfType<SigningKey>().ToList()
                    : [];
                _keys = keys;
                _fetchedAt = time.GetUtcNow();
                logger.LogInformation("Loaded {Count} signing keys from the issuer's JWKS", keys.Count);
                return keys;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or InvalidOperationException or UriFormatException)
            {
                logger.LogWarning("The issuer's signing keys could not be loaded ({Reason}).", ex.GetType().Name);
                return _keys ?? throw new JwksUnavailableException("The issuer's signing keys cannot be loaded now; try again shortly.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> DiscoverJwksUriAsync(CancellationToken cancellationToken)
    {
        using var discovery = await GetJsonAsync($"{issuer.TrimEnd('/')}/.well-known/openid-configuration", cancellationToken);
        var root = discovery.RootElement;
        if (!root.TryGetProperty("issuer", out var named) || named.GetString() != issuer)
        {
            throw new InvalidOperationException("The discovery document names another issuer.");
        }

        return root.TryGetProperty("jwks_uri", out var uri) && Uri.TryCreate(uri.GetString(), UriKind.Absolute, out var parsed) &&
            (parsed.Scheme == Uri.UriSchemeHttps || parsed.IsLoopback)
            ? parsed.ToString()
            : throw new InvalidOperationException("The discovery document has no usable jwks_uri.");
    }

    private static async Task<JsonDocument> GetJsonAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await s_http.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }
}

internal sealed class JwksUnavailableException(string message) : Exception(message);

/// <summary>One public key of a JWKS: RSA (2048 bits or more) for RS256/PS256, EC P-256 for ES256.</summary>
internal sealed class SigningKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;
    private readonly string? _alg;

    private SigningKey(string? id, string? alg, RSA? rsa, ECDsa? ecdsa)
    {
        Id = id;
        _alg = alg;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    public string? Id { get; }

    public bool Supports(string alg) =>
        (_alg is null || _alg == alg) && (alg == "ES256" ? _ecdsa is not null : _rsa is not null);

    public bool Verify(string alg, byte[] data, byte[] signature) => alg switch
    {
        "RS256" => _rsa!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        "PS256" => _rsa!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        "ES256" => signature.Length == 64 && _ecdsa!.VerifyData(data, signature, HashAlgorithmName.SHA256),
        _ => false,
    };

    /// <summary>A verification key from one JWK, or null for anything else (encryption keys, symmetric keys, other curves).</summary>
    public static SigningKey? TryCreate(JsonElement jwk)
    {
        try
        {
            string? Field(string name) => jwk.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (Field("use") is { } use && use != "sig")
            {
                return null;
            }

            var id = Field("kid");
            var alg = Field("alg");
            switch (Field("kty"))
            {
                case "RSA" when Field("n") is { } n && Field("e") is { } e:
                    var modulus = Base64Url.DecodeFromChars(n);
                    if (modulus.Length * 8 < 2048 - 8)
                    {
                        return null;
                    }

                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = Base64Url.DecodeFromChars(e) });
                    return new SigningKey(id, alg, rsa, null);
                case "EC" when Field("crv") == "P-256" && Field("x") is { } x && Field("y") is { } y:
                    var ecdsa = ECDsa.Create(new ECParameters
                    {
                        Curve = ECCurve.NamedCurves.nistP256,
                        Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
                    });
                    return new SigningKey(id, alg, null, ecdsa);
                default:
                    return null;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }
}
