using System.Text;
using System.Text.RegularExpressions;

namespace Connectors.Filesystem;

/// <summary>
/// A glob over '/'-separated relative paths: <c>*</c> and <c>?</c> stay within one name, <c>**</c> spans directories,
/// <c>[a-z]</c>, <c>[!x]</c> and <c>{a,b}</c> as in the shell. Dot files are matched like any other (as the reference's
/// <c>dot: true</c>). Matching is ordinal: names on Linux are case-sensitive.
/// </summary>
public sealed class Glob
{
    // Exactly one way of matching is kept: a path regex, a name regex, or a name prefix/suffix (no regex at all, so the
    // default deny globs cost nothing at start-up).
    private readonly Regex? _regex;

    // A filter without '/' matches names: walks test just the entry's name, and the commonest shapes
    // ("node_modules", "*.pem", ".env*") are a prefix/suffix test rather than a regular expression.
    private readonly Regex? _name;
    private readonly (string Prefix, string Suffix, bool Exact)? _simpleName;

    private Glob(string pattern, Regex? regex, Regex? name = null, (string, string, bool)? simpleName = null)
    {
        Pattern = pattern;
        _regex = regex;
        _name = name;
        _simpleName = simpleName;
    }

    public string Pattern { get; }

    public bool IsMatch(string relativePath)
    {
        if (_regex is not null)
        {
            return _regex.IsMatch(relativePath);
        }

        foreach (var range in relativePath.AsSpan().Split('/'))
        {
            if (IsNameMatch(relativePath.AsSpan()[range]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// For walks, which never descend into a matched directory: whether this entry matches, given that none of the
    /// directories above it did.
    /// </summary>
    public bool IsMatchEntry(string relativePath, string name) => _regex?.IsMatch(relativePath) ?? IsNameMatch(name);

    private bool IsNameMatch(ReadOnlySpan<char> name) => _simpleName is var (prefix, suffix, exact)
        ? (exact ? name.Length == prefix.Length : name.Length >= prefix.Length + suffix.Length)
            && name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal)
        : _name!.IsMatch(name);

    /// <summary>A glob that must match the whole relative path (<c>search_files</c>: <c>*.cs</c> is the top level only).</summary>
    public static Glob WholePath(string pattern, string argument) =>
        new(pattern, Compile("^" + Translate(pattern, argument) + "$", argument));

    /// <summary>
    /// A filter glob, as in .gitignore: without a leading '/' it may match at any depth, and matching a directory
    /// matches everything inside it (<c>node_modules</c>, <c>.git/config</c>, <c>*.pem</c>).
    /// </summary>
    public static Glob Filter(string pattern, string argument)
    {
        var anchored = pattern.StartsWith('/');
        var trimmed = pattern.Trim('/');
        var body = Translate(trimmed, argument);
        if (anchored || trimmed.Contains('/', StringComparison.Ordinal) || trimmed.Contains("**", StringComparison.Ordinal))
        {
            return new(pattern, Compile((anchored ? "^" : "^(?:.*/)?") + body + "(?:/.*)?$", argument));
        }

        var star = trimmed.IndexOf('*', StringComparison.Ordinal);
        if (trimmed.IndexOfAny(['?', '[', '{']) < 0 && star == trimmed.LastIndexOf('*'))
        {
            return new(pattern, null, null, star < 0 ? (trimmed, "", true) : (trimmed[..star], trimmed[(star + 1)..], false));
        }

        return new(pattern, null, Compile("^" + body + "$", argument));
    }

    /// <summary>
    /// A .gitignore pattern (without its '!' or trailing '/'): anchored to the .gitignore's directory when it holds a '/',
    /// otherwise matching a name at any depth below it.
    /// </summary>
    public static Glob GitIgnoreRule(string pattern)
    {
        var anchored = pattern.Contains('/', StringComparison.Ordinal);
        return new(pattern, Compile((anchored ? "^" : "^(?:.*/)?") + Translate(pattern.TrimStart('/'), ".gitignore") + "$", ".gitignore"));
    }

    public static IReadOnlyList<Glob> Filters(IEnumerable<string>? patterns, string argument) =>
        patterns is null ? [] : [.. patterns.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Filter(p.Trim(), argument))];

    private static Regex Compile(string regex, string argument)
    {
        try
        {
            return new(regex, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException)
        {
            // e.g. a character class with a reversed range, "[z-a]"
            throw ConnectorException.InvalidArgument(argument, "the glob is malformed (check its [...] and {...} parts).");
        }
    }

    private static string Translate(string pattern, string argument)
    {
        if (pattern.Length == 0 || pattern.Length > 1024)
        {
            throw ConnectorException.InvalidArgument(argument, "a glob pattern must be 1 to 1,024 characters.");
        }

        var regex = new StringBuilder();
        var braces = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    var startsSegment = i == 0 || pattern[i - 1] == '/';
                    i++;
                    if (startsSegment && i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                        regex.Append("(?:.*/)?"); // "**/": zero or more directories
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 2);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(i + 1)..close];
                    var negate = set.StartsWith('!') || set.StartsWith('^');
                    regex.Append('[').Append(negate ? "^/" : "")
                        .Append(Regex.Escape(negate ? set[1..] : set).Replace(@"\-", "-", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                case '{':
                    braces++;
                    regex.Append("(?:");
                    break;
                case '}' when braces > 0:
                    braces--;
                    regex.Append(')');
                    break;
                case ',' when braces > 0:
                    regex.Append('|');
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        if (braces > 0)
        {
            throw ConnectorException.InvalidArgument(argument, $"the glob '{pattern}' has an unclosed '{{'.");
        }

        return regex.ToString();
    }
}
