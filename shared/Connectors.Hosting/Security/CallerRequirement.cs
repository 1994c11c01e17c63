using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Connectors.Hosting.Security;

/// <summary>
/// The MCP endpoint's one requirement, an authenticated caller, checked right after authentication; per-tool scopes are
/// the tool pipeline's (<see cref="ToolAccess"/>). Not ASP.NET Core's authorization middleware and a policy: with a single
/// requirement that names no scheme, they only re-read the authentication result, and evaluating them cost about a tenth
/// of the API-key throughput (issue 18; docs/performance.md). A refusal is the SDK scheme's challenge plus RFC 6750's
/// error code, a JSON-RPC error saying why in words, and a log line with the reason (never the credential). Token
/// validation messages are mapped to fixed sentences, since the library's own may carry internals; whatever else a
/// malformed token throws (ArgumentException, FormatException, JsonException) is a 401. When the issuer's keys cannot be
/// loaded the token was never judged: 503 with Retry-After.
/// </summary>
internal static class CallerRequirement
{
    /// <summary>Endpoint metadata: the endpoint answers authenticated callers only.</summary>
    internal sealed class Metadata
    {
        public static Metadata Instance { get; } = new();
    }

    /// <summary>After authentication: refuses an unauthenticated request to an endpoint that carries <see cref="Metadata"/>.</summary>
    public static WebApplication UseCallerRequirement(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Connectors.Security");
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true || context.GetEndpoint()?.Metadata.GetMetadata<Metadata>() is null)
            {
                await next(context);
                return;
            }

            // The scheme's result is cached for the request: this reads it, it does not validate again.
            var failure = (await context.AuthenticateAsync()).Failure;
            var (status, error, description) = Describe(failure);
            logger.LogInformation("Refused a request from {RemoteAddress}: {Reason}", context.Connection.RemoteIpAddress?.ToString(), description);
            await HttpSecurityExtensions.RefuseAsync(context, status, error, description);
        });
        return app;
    }

    private static (int Status, string? Error, string Description) Describe(Exception? failure) => failure switch
    {
        null => (401, null, "Send Authorization: Bearer <token>."),
        AuthenticationFailureException ours => (401, "invalid_token", ours.Message),
        SecurityTokenExpiredException => (401, "invalid_token", "The token has expired."),
        SecurityTokenNotYetValidException => (401, "invalid_token", "The token is not valid yet (nbf)."),
        SecurityTokenNoExpirationException => (401, "invalid_token", "The token has no expiry (exp)."),
        SecurityTokenInvalidAudienceException => (401, "invalid_token", "The token is meant for another resource (aud)."),
        SecurityTokenInvalidIssuerException => (401, "invalid_token", "The token comes from another issuer."),
        SecurityTokenSignatureKeyNotFoundException => (401, "invalid_token", "The token is signed with a key the issuer does not publish."),
        SecurityTokenInvalidAlgorithmException => (401, "invalid_token", "The token's signing algorithm is not accepted (RS, PS or ES)."),
        SecurityTokenInvalidSignatureException => (401, "invalid_token", "The token's signature is not valid."),
        SecurityTokenMalformedException => (401, "invalid_token", "The token is not a signed JWT."),
        SecurityTokenException => (401, "invalid_token", "The token is not valid."),
        IssuerUnavailableException => (503, "temporarily_unavailable", "The issuer's signing keys cannot be loaded now; try again shortly."),
        _ => (401, "invalid_token", "The token is not a signed JWT."),
    };
}
