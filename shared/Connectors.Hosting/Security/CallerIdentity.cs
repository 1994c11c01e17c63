using System.Security.Claims;

namespace Connectors.Hosting.Security;

/// <summary>Who is calling, as established by the HTTP authentication, and the scopes they hold.</summary>
public sealed record CallerIdentity(string Name, string Method, IReadOnlySet<string> Scopes)
{
    internal const string ScopeClaim = "scope";

    /// <summary>The caller of an unauthenticated transport (stdio, or HTTP with --auth none): every tool in reach.</summary>
    public static CallerIdentity Unauthenticated { get; } = new("anonymous", SecurityOptions.AuthNone, new HashSet<string>());

    /// <summary>A key for rate limits and audit: the method keeps an API key named "alice" apart from a JWT subject "alice".</summary>
    public string Key => $"{Method}:{Name}";

    public ClaimsPrincipal ToPrincipal()
    {
        var identity = new ClaimsIdentity(Method, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, Name));
        foreach (var scope in Scopes)
        {
            identity.AddClaim(new Claim(ScopeClaim, scope));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The identity an authenticated principal carries, or null when the request was not authenticated.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? principal) =>
        principal?.Identity is { IsAuthenticated: true, AuthenticationType: { } method } identity
            ? new CallerIdentity(identity.Name ?? "", method, principal.FindAll(ScopeClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal))
            : null;

    /// <summary>Scopes as tokens and headers carry them: space or comma separated.</summary>
    internal static HashSet<string> ParseScopes(string? text) =>
        (text ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
