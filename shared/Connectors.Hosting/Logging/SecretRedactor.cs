using System.Text.RegularExpressions;

namespace Connectors.Hosting.Logging;

/// <summary>
/// Removes secrets from text bound for logs and error messages: every configured secret value, plus the shapes of
/// common credentials (connection-string passwords, bearer tokens, GitHub and Slack tokens).
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    private readonly object _gate = new();
    private string[] _secrets = [];

    public void Add(string secret)
    {
        // Very short values would mask ordinary words; they are not plausible secrets.
        if (secret.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            _secrets = [.. _secrets.Append(secret).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
        }
    }

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = ConnectionStringSecret().Replace(text, m => $"{m.Groups["key"].Value}={Mask}");
        text = BearerToken().Replace(text, $"Bearer {Mask}");
        return KnownTokenShape().Replace(text, Mask);
    }

    [GeneratedRegex(@"(?<key>password|pwd|secret|api[_-]?key|access[_-]?token)\s*=\s*[^;\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringSecret();

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,})\b")]
    private static partial Regex KnownTokenShape();
}
