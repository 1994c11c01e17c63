using System.Buffers.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Connectors.Hosting.Security;

/// <summary>
/// <c>--auth jwt</c> on JwtBearer: an OAuth 2.1 resource server. A token is accepted when an asymmetric key (RS, PS or ES
/// family) the issuer publishes signed it, under the <c>kid</c> it names; it comes from exactly the configured issuer,
/// names this server's resource URI as audience (RFC 8707), carries <c>exp</c> and is within its validity (60 s of clock
/// skew). Encrypted tokens are refused unread; oversized ones are refused in front (431).
/// </summary>
internal static class JwtAuthentication
{
    /// <summary>The longest Authorization header any scheme reads; longer ones are refused before anything parses them.</summary>
    public const int MaxTokenBytes = 16 * 1024;

    private static readonly string[] s_asymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static void Configure(JwtBearerOptions options, string issuer, string audience, string jwksUri)
    {
        // Keys are fetched over https; plain http only from loopback (where the configuration check also allows it).
        var requireHttps = !IsLoopback(jwksUri.Length > 0 ? jwksUri : issuer);
        options.MapInboundClaims = false;
        options.IncludeErrorDetails = false; // refusals are worded by CallerRequirement
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenBytes });
        options.TokenValidationParameters = new TokenValidationParameters
        {
            // Exactly the configured issuer: not the discovery document's spelling of it, not with a trailing slash.
            IssuerValidator = (tokenIssuer, _, _) => string.Equals(tokenIssuer, issuer, StringComparison.Ordinal)
                ? tokenIssuer
                : throw new SecurityTokenInvalidIssuerException("The token comes from another issuer."),
            ValidAudience = audience,
            RequireAudience = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(60),
            RequireSignedTokens = true,
            ValidAlgorithms = s_asymmetricAlgorithms,
            // A kid the issuer does not publish is refused, never tried against every key; a token naming no kid may be
            // signed by any of them. RSA keys under 2048 bits are not trusted even when published.
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = (_, _, kid, parameters) => parameters.IssuerSigningKeys.Where(key =>
                (string.IsNullOrEmpty(kid) || string.Equals(key.KeyId, kid, StringComparison.Ordinal)) &&
                !(key is RsaSecurityKey or JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA } && key.KeySize < 2048)),
        };

        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
            MaxResponseContentBufferSize = 1024 * 1024,
        };
        var documents = new HttpDocumentRetriever(http) { RequireHttps = requireHttps };
        var configuration = jwksUri.Length > 0
            ? new ConfigurationManager<OpenIdConnectConfiguration>(jwksUri, new JwksRetriever(issuer), documents)
            : new ConfigurationManager<OpenIdConnectConfiguration>($"{issuer.TrimEnd('/')}/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), documents);
        // Keys are kept an hour; an unknown kid makes JwtBearer ask for fresh ones, at most once per 10 s however many
        // forged kids arrive.
        configuration.AutomaticRefreshInterval = TimeSpan.FromHours(1);
        configuration.RefreshInterval = TimeSpan.FromSeconds(10);
        options.ConfigurationManager = new UnavailableKeysSurface(configuration);

        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var header = context.Request.Headers.Authorization.ToString();
                if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.AsSpan("Bearer ".Length).Count('.') == 4)
                {
                    context.Fail("Encrypted tokens (JWE) are not accepted.");
                }

                return Task.CompletedTask;
            },
            // JwtBearer rethrows what fails outside token validation (an unreachable issuer): a refusal, never a 500.
            OnAuthenticationFailed = context =>
            {
                context.Fail(context.Exception);
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is not JsonWebToken token || HasCriticalHeader(token))
                {
                    context.Fail("The token has critical header parameters this server does not understand.");
                    return Task.CompletedTask;
                }

                var principal = context.Principal!;
                var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst("client_id")?.Value;
                if (string.IsNullOrWhiteSpace(subject))
                {
                    context.Fail("The token names no subject (sub).");
                    return Task.CompletedTask;
                }

                var scopes = principal.FindAll("scope").Concat(principal.FindAll("scp"))
                    .SelectMany(claim => CallerIdentity.ParseScopes(claim.Value)).ToHashSet(StringComparer.Ordinal);
                context.Principal = new CallerIdentity(subject, SecurityOptions.AuthJwt, scopes).ToPrincipal();
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>RFC 7515 §4.1.11: a token naming critical extensions must be refused unless all are understood; none are.</summary>
    private static bool HasCriticalHeader(JsonWebToken token)
    {
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.EncodedHeader));
        return header.RootElement.TryGetProperty("crit", out _);
    }

    /// <summary>
    /// Handed a ConfigurationManager itself, JwtBearer passes it to the token handler, which swallows a failed fetch and
    /// judges the token with no keys (a misleading 401). Behind this plain interface JwtBearer fetches the keys first, so
    /// an unreachable issuer surfaces as <see cref="IssuerUnavailableException"/> (503: the token was never judged).
    /// </summary>
    private sealed class UnavailableKeysSurface(ConfigurationManager<OpenIdConnectConfiguration> inner) : IConfigurationManager<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
        {
            try
            {
                return await inner.GetConfigurationAsync(cancel);
            }
            catch (InvalidOperationException ex)
            {
                throw new IssuerUnavailableException(ex);
            }
        }

        public void RequestRefresh() => inner.RequestRefresh();
    }

    private static bool IsLoopback(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

    /// <summary>With <c>--jwt-jwks-uri</c>, the keys come from that JWKS directly, with no discovery document.</summary>
    private sealed class JwksRetriever(string issuer) : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var keys = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration { Issuer = issuer, JwksUri = address, JsonWebKeySet = keys };
            foreach (var key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}

/// <summary>The issuer's discovery document or keys could not be loaded, so no token can be judged now.</summary>
internal sealed class IssuerUnavailableException(Exception inner) : Exception("The issuer's signing keys cannot be loaded.", inner);
