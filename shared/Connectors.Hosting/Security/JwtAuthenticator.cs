using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Connectors.Hosting.Security;

/// <summary>
/// <c>--auth jwt</c>: an OAuth 2.1 resource server. A bearer JWT is accepted when it is signed (RS256, PS256 or ES256
/// only) by a key of the issuer's JWKS, comes from the configured issuer, names this server's canonical URI as audience
/// (RFC 8707) and is within its validity (60 s of clock skew). Encrypted tokens and tokens over 16 KB are refused
/// before anything is parsed.
/// </summary>
internal sealed class JwtAuthenticator : IRequestAuthenticator, IDisposable
{
    public const int MaxTokenLength = 16 * 1024;
    private static readonly TimeSpan s_clockSkew = TimeSpan.FromSeconds(60);
    private static readonly string[] s_allowedAlgorithms = ["RS256", "PS256", "ES256"];

    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeProvider _time;
    private readonly JwksCache _keys;

    public JwtAuthenticator(string issuer, string audience, string jwksUri, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _issuer = issuer;
        _audience = audience;
        _time = time;
        foreach (var (name, url) in new[] { ("--jwt-issuer", issuer), ("--jwt-jwks-uri", jwksUri) })
        {
            if (url.Length > 0 && new Uri(url) is { Scheme: not "https", IsLoopback: false })
            {
                throw new Configuration.ConnectorConfigurationException($"{name}: '{url}' must use https (plain http is accepted for loopback only).");
            }
        }

        _keys = new JwksCache(issuer, jwksUri, time, loggerFactory.CreateLogger("Connectors.Security"));
    }

    public void Dispose() => _keys.Dispose();

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!BearerToken.TryRead(request, out var token, out var failure))
        {
            return failure!;
        }

        if (token.Length > MaxTokenLength)
        {
            return AuthenticationResult.Invalid($"The token is longer than {MaxTokenLength / 1024} KB.");
        }

        var parts = token.Split('.');
        if (parts.Length == 5)
        {
            return AuthenticationResult.Invalid("Encrypted tokens (JWE) are not accepted.");
        }

        if (parts.Length != 3 || Decode(parts[0]) is not { } header || Decode(parts[1]) is not { } payload || DecodeBytes(parts[2]) is not { } signature)
        {
            return AuthenticationResult.Invalid("The token is not a signed JWT.");
        }

        using (header)
        using (payload)
        {
            var alg = Text(header.RootElement, "alg");
            if (alg is null || !s_allowedAlgorithms.Contains(alg, StringComparer.Ordinal))
            {
                return AuthenticationResult.Invalid("The token's signing algorithm is not accepted (RS256, PS256 or ES256).");
            }

            if (header.RootElement.TryGetProperty("crit", out _))
            {
                return AuthenticationResult.Invalid("The token has critical header parameters this server does not understand.");
            }

            IReadOnlyList<SigningKey> keys;
            try
            {
                keys = await _keys.FindAsync(Text(header.RootElement, "kid"), alg, cancellationToken);
            }
            catch (JwksUnavailableException ex)
            {
                return AuthenticationResult.Unavailable(ex.Message);
            }

            var signed = Encoding.ASCII.GetBytes(string.Concat(parts[0], ".", parts[1]));
            if (keys.Count == 0)
            {
                return AuthenticationResult.Invalid("The token is signed with a key the issuer does not publish.");
            }

            if (!keys.Any(key => key.Verify(alg, signed, signature)))
            {
                return AuthenticationResult.Invalid("The token's signature is not valid.");
            }

            return CheckClaims(payload.RootElement);
        }
    }

    private AuthenticationResult CheckClaims(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return AuthenticationResult.Invalid("The token's payload is not a JSON object.");
        }

        if (!string.Equals(Text(claims, "iss"), _issuer, StringComparison.Ordinal))
        {
            return AuthenticationResult.Invalid("The token comes from another issuer.");
        }

        var audiences = claims.TryGetProperty("aud", out var aud)
            ? aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString() : null) : [aud.ValueKind == JsonValueKind.String ? aud.GetString() : null]
            : [];
        if (!audiences.Any(a => a is not null && string.Equals(a.TrimEnd('/'), _audience.TrimEnd('/'), StringComparison.Ordinal)))
        {
            return AuthenticationResult.Invalid("The token is meant for another resource (aud).");
        }

        var now = _time.GetUtcNow();
        if (Seconds(claims, "exp") is not { } exp)
        {
            return AuthenticationResult.Invalid("The token has no expiry (exp).");
        }

        if (now - s_clockSkew >= DateTimeOffset.FromUnixTimeSeconds(exp))
        {
            return AuthenticationResult.Invalid("The token has expired.");
        }

        if (Seconds(claims, "nbf") is { } nbf && now + s_clockSkew < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return AuthenticationResult.Invalid("The token is not valid yet (nbf).");
        }

        var subject = Text(claims, "sub") ?? Text(claims, "client_id");
        if (string.IsNullOrWhiteSpace(subject))
        {
            return AuthenticationResult.Invalid("The token names no subject (sub).");
        }

        var scopes = CallerIdentity.ParseScopes(Text(claims, "scope"));
        if (claims.TryGetProperty("scp", out var scp))
        {
            scopes.UnionWith(scp.ValueKind == JsonValueKind.Array
                ? scp.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)
                : CallerIdentity.ParseScopes(scp.ValueKind == JsonValueKind.String ? scp.GetString() : null));
        }

        return AuthenticationResult.Success(new CallerIdentity(subject, SecurityOptions.AuthJwt, scopes));
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Seconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) &&
        seconds is > 0 and < 253402300799 ? (long)seconds : null;

    private static JsonDocument? Decode(string part)
    {
        if (DecodeBytes(part) is not { } bytes)
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static byte[]? DecodeBytes(string part)
    {
        try
        {
            return part.Length == 0 ? null : Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
