using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

// Search: code, repositories and issues, with GitHub's query qualifiers.
public sealed partial class GitHubEmulator
{
    private Reply SearchCode(HttpRequest request, EmulatedToken token)
    {
        var (terms, qualifiers) = ParseQuery(request.Query["q"].ToString());
        if (terms.Count == 0)
        {
            return Reply.Validation("Search", "q", "missing", "https://docs.github.com/rest/search/search#search-code");
        }

        var hits = VisibleRepositories(token, qualifiers)
            .SelectMany(r => r.Resolve(null)!.Tree.Where(f => terms.All(t => f.Value.Contains(t, StringComparison.OrdinalIgnoreCase))).Select(f => (Repo: r, Path: f.Key)))
            .OrderBy(h => h.Repo.FullName, StringComparer.Ordinal).ThenBy(h => h.Path, StringComparer.Ordinal)
            .Select(h => (JsonNode)new JsonObject
            {
                ["name"] = h.Path.Split('/')[^1],
                ["path"] = h.Path,
                ["sha"] = GitHubState.ObjectId(h.Path),
                ["html_url"] = $"{Web}/{h.Repo.FullName}/blob/{h.Repo.Branches[h.Repo.DefaultBranch]}/{h.Path}",
                ["repository"] = RepoJson(h.Repo, null),
                ["score"] = 1.0,
            }).ToList();
        return PagedEnvelope(request, "items", hits, search: true);
    }

    private Reply SearchRepositories(HttpRequest request, EmulatedToken token)
    {
        var (terms, qualifiers) = ParseQuery(request.Query["q"].ToString());
        var hits = VisibleRepositories(token, qualifiers)
            .Where(r => terms.All(t => r.Name.Contains(t, StringComparison.OrdinalIgnoreCase) || (r.Description ?? "").Contains(t, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(r => r.Stars)
            .Select(r => (JsonNode)RepoJson(r, null)).ToList();
        return PagedEnvelope(request, "items", hits, search: true);
    }

    private Reply SearchIssues(HttpRequest request, EmulatedToken token)
    {
        var (terms, qualifiers) = ParseQuery(request.Query["q"].ToString());
        var kind = qualifiers.GetValueOrDefault("is:type") ?? qualifiers.GetValueOrDefault("type");
        var state = qualifiers.GetValueOrDefault("state");
        if (kind is null && !qualifiers.ContainsKey("repo"))
        {
            return Reply.Error(422, "Query must include 'is:issue' or 'is:pull-request'", "https://docs.github.com/rest/search/search#search-issues-and-pull-requests");
        }

        var hits = VisibleRepositories(token, qualifiers)
            .SelectMany(r => r.Issues.Select(i => (Repo: r, Issue: i)))
            .Where(h => kind is null || (kind == "pr") == h.Issue is EmulatedPullRequest)
            .Where(h => state is null || h.Issue.State == state)
            .Where(h => terms.All(t => h.Issue.Title.Contains(t, StringComparison.OrdinalIgnoreCase) || (h.Issue.Body ?? "").Contains(t, StringComparison.OrdinalIgnoreCase)))
            .Select(h => (JsonNode)IssueJson(h.Repo, h.Issue)).ToList();
        return PagedEnvelope(request, "items", hits, search: true);
    }

    private IEnumerable<EmulatedRepository> VisibleRepositories(EmulatedToken token, Dictionary<string, string> qualifiers) =>
        State.Repositories
            .Where(r => !r.Private || token.SeesPrivate)
            .Where(r => !qualifiers.TryGetValue("repo", out var full) || string.Equals(r.FullName, full, StringComparison.OrdinalIgnoreCase))
            .Where(r => !(qualifiers.TryGetValue("org", out var org) || qualifiers.TryGetValue("user", out org)) || string.Equals(r.Owner, org, StringComparison.OrdinalIgnoreCase));

    private static (List<string> Terms, Dictionary<string, string> Qualifiers) ParseQuery(string q)
    {
        var terms = new List<string>();
        var qualifiers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var word in q.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (word.ToLowerInvariant())
            {
                case "is:issue":
                    qualifiers["is:type"] = "issue";
                    break;
                case "is:pr" or "is:pull-request":
                    qualifiers["is:type"] = "pr";
                    break;
                case "is:open" or "is:closed":
                    qualifiers["state"] = word[3..].ToLowerInvariant();
                    break;
                default:
                    var colon = word.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        qualifiers[word[..colon]] = word[(colon + 1)..];
                    }
                    else
                    {
                        terms.Add(word.Trim('"'));
                    }

                    break;
            }
        }

        return (terms, qualifiers);
    }
}
