namespace Connectors.Hosting.Security;

/// <summary>The outcome of authenticating one HTTP request.</summary>
internal sealed record AuthenticationResult(CallerIdentity? Identity, string? Error, string Description, int Status = 401)
{
    public static AuthenticationResult Success(CallerIdentity identity) => new(identity, null, "");

    /// <summary>No credentials at all: 401 without an error code (RFC 6750 §3.1).</summary>
    public static AuthenticationResult Missing(string description) => new(null, null, description);

    /// <summary>Credentials were presented and are not acceptable: 401 <c>invalid_token</c>.</summary>
    public static AuthenticationResult Invalid(string description) => new(null, "invalid_token", description);

    public static AuthenticationResult Invalid(string error, string description) => new(null, error, description);

    /// <summary>The credentials could not be checked now (e.g. the issuer's keys are unreachable): 503.</summary>
    public static AuthenticationResult Unavailable(string description) => new(null, "temporarily_unavailable", description, 503);
}

/// <summary>One way of establishing who an HTTP caller is.</summary>
internal interface IRequestAuthenticator
{
    ValueTask<AuthenticationResult> AuthenticateAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken);
}
