using System.Security.Claims;

namespace Connectors.Hosting.Security;

/// <summary>Who is calling, as established by the HTTP authentication, and the scopes they hold.</summary>
public sealed record CallerIdentity(string Name, string Method, IReadOnlySet<string> Scopes)
{
    internal const string ScopeClaim = "scope";

    /// <summary>The caller of an unauthenticated transport (stdio, or HTTP with --auth none): every tool in reach.</summary>
    public static CallerIdentity Unauthenticated { get; } = new("anonymous", SecurityOptions.AuthNone, new HashSet<string>());

    /// <summary>A key for rate limits and audit: the method keeps an API key named "alice" apart from a JWT subject "alice".</summary>
    public string Key { get; } = $"{Method}:{Name}";

    /// <summary>
    /// The principal ASP.NET Core carries for this caller: the usual name and scope claims (for policies and anything else
    /// that reads claims), holding this identity too, so the rate limiter, the tool pipeline and the audit, which each
    /// ask who is calling on every request, read it back instead of rebuilding it from the claims.
    /// </summary>
    public ClaimsPrincipal ToPrincipal()
    {
        var identity = new ClaimsIdentity(Method, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, Name));
        foreach (var scope in Scopes)
        {
            identity.AddClaim(new Claim(ScopeClaim, scope));
        }

        return new CallerPrincipal(identity, this);
    }

    /// <summary>The identity an authenticated principal carries, or null when the request was not authenticated.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? principal) => principal switch
    {
        CallerPrincipal { Caller: var caller, Identity.IsAuthenticated: true } => caller,
        { Identity: { IsAuthenticated: true, AuthenticationType: { } method } identity } =>
            new CallerIdentity(identity.Name ?? "", method, principal.FindAll(ScopeClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal)),
        _ => null,
    };

    private sealed class CallerPrincipal(ClaimsIdentity identity, CallerIdentity caller) : ClaimsPrincipal(identity)
    {
        public CallerIdentity Caller { get; } = caller;
    }

    /// <summary>Scopes as tokens and headers carry them: space or comma separated.</summary>
    internal static HashSet<string> ParseScopes(string? text) =>
        (text ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
