using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Connectors.GitHub.Api;

namespace Connectors.GitHub;

/// <summary>
/// What every handler calls first: checks names, numbers, paths and paging before they become a URL (so no argument can
/// reach another endpoint), and decides lockdown per repository.
/// </summary>
internal sealed partial class GitHubGuard(GitHubClient client, GitHubSettings settings, TimeProvider time)
{
    public const int MaxPerPage = 100;
    private static readonly TimeSpan VisibilityTtl = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (bool Public, DateTimeOffset Until)> _visibility = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The one description every tool gives its <c>repo</c> argument.</summary>
    public const string RepoDescription = "owner/name";

    /// <summary>The API path of a repository given as <c>owner/name</c>, e.g. <c>repos/octo-org/widgets</c>.</summary>
    public static string Repo(string repo)
    {
        if (!OwnerAndName().IsMatch(repo ?? "") || repo!.EndsWith("/.", StringComparison.Ordinal) || repo.EndsWith("/..", StringComparison.Ordinal))
        {
            throw ConnectorException.InvalidArgument(nameof(repo), "owner/name, e.g. octo-org/widgets: the owner in letters, digits and hyphens (up to 39), the name in letters, digits, '.', '-' and '_' (up to 100).");
        }

        return $"repos/{repo}";
    }

    public static string Paging(int page, int perPage)
    {
        if (page is < 1 or > 10_000)
        {
            throw ConnectorException.InvalidArgument("page", "from 1 (the first page).");
        }

        if (perPage is < 1 or > MaxPerPage)
        {
            throw ConnectorException.InvalidArgument("per_page", $"from 1 to {MaxPerPage}.");
        }

        return $"page={page}&per_page={perPage}";
    }

    public static int Number(int value, string argument) =>
        value >= 1 ? value : throw ConnectorException.InvalidArgument(argument, "a positive number.");

    public static long Id(long value, string argument) =>
        value >= 1 ? value : throw ConnectorException.InvalidArgument(argument, "a positive id.");

    /// <summary>A path inside a repository, each segment escaped; '..' and control characters are refused.</summary>
    public static string FilePath(string? path)
    {
        var segments = (path ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".." || s.Any(char.IsControl)) || (path?.Length ?? 0) > 4096)
        {
            throw ConnectorException.InvalidArgument("path", "a path inside the repository, without '.' or '..' segments.");
        }

        return string.Join('/', segments.Select(Uri.EscapeDataString));
    }

    /// <summary>A branch, tag or commit sha as a query value.</summary>
    public static string Ref(string reference, string argument = "ref") =>
        reference.Length is > 0 and <= 250 && !reference.Any(c => char.IsControl(c) || c == ' ') && !reference.Contains("..", StringComparison.Ordinal)
            ? Uri.EscapeDataString(reference)
            : throw ConnectorException.InvalidArgument(argument, "a branch, tag or commit sha.");

    public static string Text(string? value, string argument, int maxLength, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? throw ConnectorException.InvalidArgument(argument, "must not be empty.") : "";
        }

        return value.Length <= maxLength ? value : throw ConnectorException.InvalidArgument(argument, $"at most {maxLength:N0} characters.");
    }

    /// <summary>Lockdown for one repository: active only with --lockdown and only on public repositories.</summary>
    public async Task<Lockdown> LockdownAsync(string repo, CancellationToken cancellationToken)
    {
        if (!settings.Lockdown)
        {
            return Lockdown.Off;
        }

        var path = Repo(repo);
        var now = time.GetUtcNow();
        if (!_visibility.TryGetValue(repo, out var known) || known.Until <= now)
        {
            var repository = await client.GetAsync(path, GitHubJson.Default.GitHubRepository, $"repository {repo}", cancellationToken);
            known = (!repository.Value.Private, now + VisibilityTtl);
            _visibility[repo] = known;
        }

        return known.Public ? new Lockdown(true) : Lockdown.Off;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex OwnerAndName();
}

/// <summary>Under lockdown, text by authors without push access is withheld and counted.</summary>
internal sealed class Lockdown(bool active)
{
    public static Lockdown Off => new(false);

    public bool Active { get; } = active;

    public int Withheld { get; private set; }

    /// <summary>GitHub's author_association: owners, organisation members and collaborators can push (or are trusted by the owner).</summary>
    public bool Shows(string? authorAssociation)
    {
        if (!Active || authorAssociation is "OWNER" or "MEMBER" or "COLLABORATOR")
        {
            return true;
        }

        Withheld++;
        return false;
    }
}

/// <summary>The server's GitHub settings the tools need at run time.</summary>
internal sealed record GitHubSettings(bool Lockdown, IReadOnlySet<string> Toolsets);
