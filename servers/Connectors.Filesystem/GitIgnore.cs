using System.Collections.Concurrent;

namespace Connectors.Filesystem;

/// <summary>
/// The .gitignore files of a tree, read through the guard as a walk meets them, applied as git does: each file's rules
/// relative to its directory, the last matching rule winning, '!' re-including, a trailing '/' matching directories only.
/// </summary>
internal sealed class GitIgnore(PathGuard guard, AllowedRoot root)
{
    /// <summary>Directories that hold build output or other tools' state, left out of content searches unless asked.</summary>
    public static readonly IReadOnlySet<string> BuiltInIgnoredNames = new HashSet<string>(StringComparer.Ordinal)
    {
        ".git", ".hg", ".svn", "node_modules", "bin", "obj", "__pycache__", ".venv", ".tox", ".mypy_cache", ".pytest_cache",
    };

    private const int MaxIgnoreFileBytes = 256 * 1024;

    private readonly ConcurrentDictionary<string, IReadOnlyList<Rule>> _rulesByDirectory = new(StringComparer.Ordinal);

    /// <summary>Whether a path (relative to the root) is ignored.</summary>
    public bool IsIgnored(string rootRelative, bool isDirectory)
    {
        var ignored = false;
        var slash = -1;
        do
        {
            var directory = slash < 0 ? "" : rootRelative[..slash];
            var below = rootRelative[(slash + 1)..];
            foreach (var rule in RulesOf(directory))
            {
                if ((!rule.DirectoryOnly || isDirectory) && rule.Glob.IsMatch(below))
                {
                    ignored = !rule.Negated;
                }
            }

            slash = rootRelative.IndexOf('/', slash + 1);
        }
        while (slash >= 0);

        return ignored;
    }

    private IReadOnlyList<Rule> RulesOf(string directory) => _rulesByDirectory.GetOrAdd(directory, Load);

    private IReadOnlyList<Rule> Load(string directory)
    {
        string text;
        try
        {
            var path = new GuardedPath(root, directory.Length == 0 ? ".gitignore" : directory + "/.gitignore", ".gitignore");
            using var file = guard.OpenFile(path);
            if (file.Status.Size > MaxIgnoreFileBytes)
            {
                return [];
            }

            var bytes = new byte[file.Status.Size];
            var read = RandomAccess.Read(file.Handle, bytes, 0);
            text = System.Text.Encoding.UTF8.GetString(bytes, 0, read);
        }
        catch (ConnectorException)
        {
            return []; // none, unreadable, or a link out of the roots: no rules
        }

        var rules = new List<Rule>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').TrimEnd(' ');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var negated = line.StartsWith('!');
            if (negated || line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal))
            {
                line = line[1..];
            }

            var directoryOnly = line.EndsWith('/');
            line = line.TrimEnd('/');
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                rules.Add(new Rule(Glob.GitIgnoreRule(line), negated, directoryOnly));
            }
            catch (ConnectorException)
            {
                // A malformed line is ignored, as git does.
            }
        }

        return rules;
    }

    private sealed record Rule(Glob Glob, bool Negated, bool DirectoryOnly);
}
