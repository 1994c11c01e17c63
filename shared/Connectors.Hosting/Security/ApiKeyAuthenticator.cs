using System.Security.Cryptography;
using System.Text;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Http;

namespace Connectors.Hosting.Security;

/// <summary>
/// <c>--auth api-key</c>: a bearer token that is one of the configured keys. Keys are held only as SHA-256 digests and
/// compared in constant time against every configured key, so neither timing nor a prefix tells anything.
/// </summary>
internal sealed class ApiKeyAuthenticator : IRequestAuthenticator
{
    private readonly (string Name, byte[] Digest, IReadOnlySet<string> Scopes)[] _keys;

    public ApiKeyAuthenticator(IEnumerable<string> entries, IReadOnlySet<string> defaultScopes)
    {
        _keys = entries
            .Where(e => !e.StartsWith('#'))
            .Select((entry, index) => Parse(entry, index, defaultScopes))
            .ToArray();
    }

    public int Count => _keys.Length;

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!BearerToken.TryRead(request, out var token, out var failure))
        {
            return ValueTask.FromResult(failure!);
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var match = -1;
        for (var i = 0; i < _keys.Length; i++)
        {
            // No early exit: every key is compared whatever matched.
            if (CryptographicOperations.FixedTimeEquals(digest, _keys[i].Digest))
            {
                match = i;
            }
        }

        return ValueTask.FromResult(match < 0
            ? AuthenticationResult.Invalid("The API key is not valid.")
            : AuthenticationResult.Success(new CallerIdentity(_keys[match].Name, SecurityOptions.AuthApiKey, _keys[match].Scopes)));
    }

    /// <summary>
    /// <c>key</c>, <c>name:key[:scopes]</c> or <c>name:sha256:&lt;64 hex&gt;[:scopes]</c>; scopes space separated.
    /// Errors never quote the entry: it holds a key.
    /// </summary>
    internal static (string Name, byte[] Digest, IReadOnlySet<string> Scopes) Parse(string entry, int index, IReadOnlySet<string> defaultScopes)
    {
        var parts = entry.Trim().Split(':');
        string name;
        byte[] digest;
        string? scopes;
        if (parts.Length == 1)
        {
            (name, digest, scopes) = ($"key{index + 1}", Digest(parts[0]), null);
        }
        else if (parts.Length is 3 or 4 && parts[1].Equals("sha256", StringComparison.OrdinalIgnoreCase))
        {
            if (parts[2].Length != 64 || !parts[2].All(char.IsAsciiHexDigit))
            {
                throw new ConnectorConfigurationException($"--api-keys: entry {index + 1} ('{parts[0]}'): a sha256 key is 64 hexadecimal digits.");
            }

            (name, digest, scopes) = (parts[0], Convert.FromHexString(parts[2]), parts.Length == 4 ? parts[3] : null);
        }
        else if (parts.Length is 2 or 3)
        {
            (name, digest, scopes) = (parts[0], Digest(parts[1]), parts.Length == 3 ? parts[2] : null);
        }
        else
        {
            throw new ConnectorConfigurationException($"--api-keys: entry {index + 1} is not 'name:key:scopes', 'name:sha256:<hex>:scopes' or a bare key.");
        }

        if (name.Trim().Length == 0)
        {
            throw new ConnectorConfigurationException($"--api-keys: entry {index + 1} has no name.");
        }

        return (name.Trim(), digest, scopes is null ? defaultScopes : CallerIdentity.ParseScopes(scopes));
    }

    /// <summary>The plain keys among the entries, so the log redactor can mask them wherever they might show up.</summary>
    internal static IEnumerable<string> KeyMaterial(IEnumerable<string> entries) =>
        entries.Select(e => e.Trim().Split(':')).Where(p => p.Length <= 3 && !(p.Length == 3 && p[1].Equals("sha256", StringComparison.OrdinalIgnoreCase)))
            .Select(p => (p.Length == 1 ? p[0] : p[1]).Trim());

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
