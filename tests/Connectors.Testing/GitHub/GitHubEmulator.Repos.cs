using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

// Repository reads: contents, commits and workflow runs.
public sealed partial class GitHubEmulator
{
    private Reply Contents(EmulatedRepository repo, string path, string? reference)
    {
        var commit = repo.Resolve(string.IsNullOrEmpty(reference) ? null : reference);
        if (commit is null)
        {
            return Reply.Error(404, $"No commit found for the ref {reference}", "https://docs.github.com/rest/repos/contents#get-repository-content");
        }

        path = path.Trim('/');
        if (commit.Tree.TryGetValue(path, out var content))
        {
            var bytes = Encoding.UTF8.GetBytes(content);
            var b64 = Convert.ToBase64String(bytes);
            var wrapped = string.Join('\n', Enumerable.Range(0, (b64.Length + 59) / 60).Select(i => b64.Substring(i * 60, Math.Min(60, b64.Length - (i * 60))))) + "\n";
            var file = new JsonObject
            {
                ["type"] = "file",
                ["encoding"] = "base64",
                ["size"] = bytes.Length,
                ["name"] = path.Split('/')[^1],
                ["path"] = path,
                ["content"] = wrapped,
                ["sha"] = GitHubState.ObjectId(content),
            };
            return Reply.Ok(WithContentLinks(file, repo, reference, isDirectory: false));
        }

        var prefix = path.Length == 0 ? "" : path + "/";
        var entries = commit.Tree.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[prefix.Length..].Split('/'))
            .GroupBy(parts => parts[0], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var isDir = g.Any(parts => parts.Length > 1);
                var full = prefix + g.Key;
                var entry = new JsonObject
                {
                    ["type"] = isDir ? "dir" : "file",
                    ["size"] = isDir ? 0 : Encoding.UTF8.GetByteCount(commit.Tree[full]),
                    ["name"] = g.Key,
                    ["path"] = full,
                    ["sha"] = GitHubState.ObjectId(isDir ? $"{commit.Sha}:{full}" : commit.Tree[full]),
                };
                return (JsonNode)WithContentLinks(entry, repo, reference, isDir);
            }).ToList();
        return entries.Count == 0 ? Reply.Error(404, "Not Found", "https://docs.github.com/rest/repos/contents#get-repository-content") : Reply.Ok(new JsonArray([.. entries]));
    }

    /// <summary>The links GitHub puts on every contents entry (API, web, git and raw download; none to download a directory).</summary>
    private JsonObject WithContentLinks(JsonObject entry, EmulatedRepository repo, string? reference, bool isDirectory)
    {
        var path = (string)entry["path"]!;
        var branch = reference ?? repo.DefaultBranch;
        var self = $"{Url}repos/{repo.FullName}/contents/{path}?ref={branch}";
        var html = $"{Web}/{repo.FullName}/{(isDirectory ? "tree" : "blob")}/{branch}/{path}";
        var git = $"{Url}repos/{repo.FullName}/git/{(isDirectory ? "trees" : "blobs")}/{entry["sha"]}";
        entry["url"] = self;
        entry["html_url"] = html;
        entry["git_url"] = git;
        entry["download_url"] = isDirectory ? null : $"https://raw.githubusercontent.com/{repo.FullName}/{branch}/{path}";
        entry["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html };
        return entry;
    }

    private Reply ListCommits(HttpRequest request, EmulatedRepository repo)
    {
        var sha = request.Query["sha"].ToString();
        var path = request.Query["path"].ToString();
        var author = request.Query["author"].ToString();
        if (sha.Length > 0 && repo.Resolve(sha) is null)
        {
            return Reply.Error(404, "Not Found");
        }

        var commits = repo.History(sha.Length > 0 ? repo.Resolve(sha)!.Sha : repo.Branches[repo.DefaultBranch])
            .Where(c => path.Length == 0 || c.Changes.ContainsKey(path))
            .Where(c => author.Length == 0 || string.Equals(c.Author, author, StringComparison.OrdinalIgnoreCase))
            .Select(c => (JsonNode)CommitJson(repo, c, detailed: false)).ToList();
        return Paged(request, commits);
    }

    private Reply ListRuns(HttpRequest request, EmulatedRepository repo)
    {
        var branch = request.Query["branch"].ToString();
        var status = request.Query["status"].ToString();
        var runs = repo.Runs
            .Where(r => branch.Length == 0 || r.Branch == branch)
            .Where(r => status.Length == 0 || r.Status == status || r.Conclusion == status)
            .OrderByDescending(r => r.RunNumber)
            .Select(r => (JsonNode)RunJson(repo, r)).ToList();
        return PagedEnvelope(request, "workflow_runs", runs);
    }
}
