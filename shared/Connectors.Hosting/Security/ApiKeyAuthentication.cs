using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Connectors.Hosting.Security;

/// <summary>The configured keys, held only as SHA-256 digests.</summary>
internal sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    private IReadOnlyList<(string Name, byte[] Digest, IReadOnlySet<string> Scopes)> _keys = [];

    public IReadOnlyList<(string Name, byte[] Digest, IReadOnlySet<string> Scopes)> Keys
    {
        get => _keys;
        set
        {
            _keys = value;
            // A key's caller is the same on every request, so its principal is built once and only read after that.
            Principals = [.. value.Select(key => new CallerIdentity(key.Name, SecurityOptions.AuthApiKey, key.Scopes).ToPrincipal())];
        }
    }

    public IReadOnlyList<ClaimsPrincipal> Principals { get; private set; } = [];
}

/// <summary>
/// <c>--auth api-key</c>: a bearer token that is one of the configured keys. The presented key is hashed and compared in
/// constant time against every configured digest, so neither timing nor a prefix tells anything.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Header shape (one header, token68 characters, size) was checked in front; here only the key itself.
        var value = Request.Headers.Authorization.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value["Bearer ".Length..].Trim() is not { Length: > 0 } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var match = -1;
        for (var i = 0; i < Options.Keys.Count; i++)
        {
            // No early exit: every key is compared whatever matched.
            if (CryptographicOperations.FixedTimeEquals(digest, Options.Keys[i].Digest))
            {
                match = i;
            }
        }

        if (match < 0)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Options.Principals[match], Scheme.Name)));
    }

    /// <summary>Every key entry, comments and blank lines skipped; throws a configuration error for a bad one.</summary>
    internal static (string Name, byte[] Digest, IReadOnlySet<string> Scopes)[] ParseAll(IEnumerable<string> entries, IReadOnlySet<string> defaultScopes) =>
        [.. WithoutComments(entries).Select((entry, index) => Parse(entry, index, defaultScopes))];

    /// <summary>
    /// <c>key</c>, <c>name:key[:scopes]</c> or <c>name:sha256:&lt;64 hex&gt;[:scopes]</c>; scopes space separated (and may
    /// themselves hold colons, e.g. <c>github:read</c>). Errors never quote the entry: it holds a key.
    /// </summary>
    internal static (string Name, byte[] Digest, IReadOnlySet<string> Scopes) Parse(string entry, int index, IReadOnlySet<string> defaultScopes)
    {
        var (name, key, hashed, scopes) = Split(entry);
        if (name is null)
        {
            return ($"key{index + 1}", Digest(key), defaultScopes);
        }

        if (name.Length == 0)
        {
            throw new ConnectorConfigurationException($"--api-keys: entry {index + 1} has no name.");
        }

        if (hashed && (key.Length != 64 || !key.All(char.IsAsciiHexDigit)))
        {
            throw new ConnectorConfigurationException($"--api-keys: entry {index + 1} ('{name}'): a sha256 key is 64 hexadecimal digits.");
        }

        return (name, hashed ? Convert.FromHexString(key) : Digest(key), scopes is null ? defaultScopes : CallerIdentity.ParseScopes(scopes));
    }

    /// <summary>The plain keys among the entries, so the log redactor can mask them wherever they might show up.</summary>
    internal static IEnumerable<string> KeyMaterial(IEnumerable<string> entries) =>
        WithoutComments(entries).Select(Split).Where(e => !e.Hashed).Select(e => e.Key);

    private static IEnumerable<string> WithoutComments(IEnumerable<string> entries) =>
        entries.Where(e => e.Trim() is { Length: > 0 } line && !line.StartsWith('#'));

    private static (string? Name, string Key, bool Hashed, string? Scopes) Split(string entry)
    {
        var parts = entry.Trim().Split(':', 2);
        if (parts.Length == 1)
        {
            return (null, parts[0], false, null);
        }

        var hashed = parts[1].StartsWith("sha256:", StringComparison.OrdinalIgnoreCase);
        var rest = (hashed ? parts[1]["sha256:".Length..] : parts[1]).Split(':', 2);
        return (parts[0].Trim(), rest[0].Trim(), hashed, rest.Length == 2 ? rest[1] : null);
    }

    private static byte[] Digest(string key)
    {
        if (key.Trim().Length < 16)
        {
            // Short keys can be guessed; refusing them at start is kinder than a breach.
            throw new ConnectorConfigurationException("--api-keys: every key must be at least 16 characters long.");
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));
    }
}
