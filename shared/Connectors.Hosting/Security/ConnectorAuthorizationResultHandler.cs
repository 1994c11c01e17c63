using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Connectors.Hosting.Security;

/// <summary>
/// How a request the caller policy turns away is answered: the SDK scheme's challenge plus RFC 6750's error code, a
/// JSON-RPC error saying why in words, and a log line with the reason (never the credential). Token validation messages
/// are mapped to fixed sentences, since the library's own may carry internals; whatever else a malformed token throws
/// (ArgumentException, FormatException, JsonException) is a 401. When the issuer's keys cannot be loaded the token was
/// never judged: 503 with Retry-After.
/// </summary>
internal sealed class ConnectorAuthorizationResultHandler(ILoggerFactory loggerFactory) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger("Connectors.Security");

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Challenged)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        // The scheme's result is cached for the request: this reads it, it does not validate again.
        var failure = (await context.AuthenticateAsync()).Failure;
        var (status, error, description) = Describe(failure);
        _logger.LogInformation("Refused a request from {RemoteAddress}: {Reason}", context.Connection.RemoteIpAddress?.ToString(), description);
        await HttpSecurityExtensions.RefuseAsync(context, status, error, description);
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
