using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

public sealed partial class GitHubEmulator
{
    private const string Web = "https://github.com";

    private async Task<Reply> DispatchAsync(HttpContext context, string[] s, EmulatedToken token)
    {
        var request = context.Request;
        var method = request.Method;
        var body = method is "POST" or "PATCH" or "PUT" ? await ReadBodyAsync(request) : null;
        lock (State.Gate)
        {
            switch (s)
            {
                case ["user"] when method == "GET":
                    return Reply.Ok(UserJson(token.Login, full: true));
                case ["search", "code"] when method == "GET":
                    return SearchCode(request, token);
                case ["search", "repositories"] when method == "GET":
                    return SearchRepositories(request, token);
                case ["search", "issues"] when method == "GET":
                    return SearchIssues(request, token);
            }

            if (s is not ["repos", var owner, var name, ..])
            {
                return Reply.Error(404, "Not Found");
            }

            var repo = State.FindRepository(owner, name);
            if (repo is null || (repo.Private && !token.SeesPrivate))
            {
                return Reply.Error(404, "Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository");
            }

            if (method != "GET" && token.ReadOnly)
            {
                var denied = Reply.Error(403, "Resource not accessible by personal access token", "https://docs.github.com/rest");
                denied.Headers["X-Accepted-GitHub-Permissions"] = s.Length > 3 && s[3] == "pulls" ? "pull_requests=write" : "issues=write";
                return denied;
            }

            var rest = s[3..];
            switch (rest)
            {
                case [] when method == "GET":
                    return Reply.Ok(RepoJson(repo, token));
                case ["contents", ..] when method == "GET":
                    return Contents(repo, string.Join('/', rest[1..]), request.Query["ref"]);
                case ["branches"] when method == "GET":
                    return Paged(request, repo.Branches.OrderBy(b => b.Key, StringComparer.Ordinal)
                        .Select(b => (JsonNode)new JsonObject { ["name"] = b.Key, ["commit"] = new JsonObject { ["sha"] = b.Value, ["url"] = $"{Url}repos/{repo.FullName}/commits/{b.Value}" }, ["protected"] = b.Key == repo.DefaultBranch }).ToList());
                case ["commits"] when method == "GET":
                    return ListCommits(request, repo);
                case ["commits", var reference] when method == "GET":
                    return repo.Resolve(reference) is { } commit ? Reply.Ok(CommitJson(repo, commit, detailed: true)) : Reply.Error(422, $"No commit found for SHA: {reference}");
                case ["issues"] when method == "GET":
                    return ListIssues(request, repo);
                case ["issues"] when method == "POST":
                    return CreateIssue(repo, body!, token);
                case ["issues", var n] when method == "GET":
                    return FindIssue(repo, n) is { } issue ? Reply.Ok(IssueJson(repo, issue)) : Reply.Error(404, "Not Found");
                case ["issues", var n] when method == "PATCH":
                    return FindIssue(repo, n) is { } toUpdate ? UpdateIssue(repo, toUpdate, body!) : Reply.Error(404, "Not Found");
                case ["issues", var n, "comments"] when method == "GET":
                    return FindIssue(repo, n) is { } commented ? Paged(request, commented.Comments.Select(c => CommentJson(repo, commented, c)).ToList()) : Reply.Error(404, "Not Found");
                case ["issues", var n, "comments"] when method == "POST":
                    return FindIssue(repo, n) is { } target ? AddComment(repo, target, body!, token) : Reply.Error(404, "Not Found");
                case ["pulls"] when method == "GET":
                    return ListPulls(request, repo);
                case ["pulls"] when method == "POST":
                    return CreatePull(repo, body!, token);
                case ["pulls", var n] when method == "GET":
                    return FindPull(repo, n) is not { } pull ? Reply.Error(404, "Not Found")
                        : request.Headers.Accept.ToString().Contains("application/vnd.github.diff", StringComparison.Ordinal)
                            ? new Reply(200) { Text = Diff(repo, pull), ContentType = "application/vnd.github.diff; charset=utf-8" }
                            : Reply.Ok(PullJson(repo, pull));
                case ["pulls", var n, "files"] when method == "GET":
                    return FindPull(repo, n) is { } withFiles ? Paged(request, FileChanges(repo, withFiles).Select(f => f.Json).ToList()) : Reply.Error(404, "Not Found");
                case ["pulls", var n, "reviews"] when method == "GET":
                    return FindPull(repo, n) is { } reviewed ? Paged(request, reviewed.Reviews.Select(r => ReviewJson(repo, reviewed, r)).ToList()) : Reply.Error(404, "Not Found");
                case ["pulls", var n, "merge"] when method == "PUT":
                    return FindPull(repo, n) is { } toMerge ? Merge(repo, toMerge, body!) : Reply.Error(404, "Not Found");
                case ["actions", "runs"] when method == "GET":
                    return ListRuns(request, repo);
                case ["actions", "runs", var id] when method == "GET":
                    return repo.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == id) is { } run ? Reply.Ok(RunJson(repo, run)) : Reply.Error(404, "Not Found");
                case ["actions", "runs", var id, "jobs"] when method == "GET":
                    return repo.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == id) is { } withJobs
                        ? PagedEnvelope(request, "jobs", withJobs.Jobs.Select(j => JobJson(repo, withJobs, j)).ToList())
                        : Reply.Error(404, "Not Found");
                case ["actions", "jobs", var id, "logs"] when method == "GET":
                    return repo.Runs.SelectMany(r => r.Jobs).FirstOrDefault(j => j.Id.ToString(CultureInfo.InvariantCulture) == id) is { } job
                        ? new Reply(302) { Location = $"{Url}_blob/logs/{job.Id}?sig={LogSignature(job.Id)}" }
                        : Reply.Error(404, "Not Found");
                default:
                    return Reply.Error(404, "Not Found");
            }
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        return JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject ?? throw new JsonException("not an object");
    }

    // ---- pagination ----

    private static (int Page, int PerPage) PageOf(HttpRequest request)
    {
        var page = int.TryParse(request.Query["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var perPage = int.TryParse(request.Query["per_page"], CultureInfo.InvariantCulture, out var pp) && pp > 0 ? Math.Min(pp, 100) : 30;
        return (page, perPage);
    }

    private Reply Paged(HttpRequest request, List<JsonNode> all)
    {
        var (items, link) = Slice(request, all);
        var reply = Reply.Ok(new JsonArray([.. items]));
        if (link is not null)
        {
            reply.Headers["Link"] = link;
        }

        return reply;
    }

    private Reply PagedEnvelope(HttpRequest request, string property, List<JsonNode> all, bool search = false)
    {
        var (items, link) = Slice(request, all);
        var json = new JsonObject { ["total_count"] = all.Count };
        if (search)
        {
            json["incomplete_results"] = false;
        }

        json[property] = new JsonArray([.. items]);
        var reply = Reply.Ok(json);
        if (link is not null)
        {
            reply.Headers["Link"] = link;
        }

        return reply;
    }

    private (List<JsonNode> Items, string? Link) Slice(HttpRequest request, List<JsonNode> all)
    {
        var (page, perPage) = PageOf(request);
        var items = all.Skip((page - 1) * perPage).Take(perPage).Select(n => n.DeepClone()).ToList();
        var last = Math.Max(1, (all.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string PageUrl(int number)
        {
            var query = request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={number}");
            return $"<{Url}{request.Path.Value!.TrimStart('/')}?{string.Join('&', query)}>";
        }

        if (page > 1)
        {
            links.Add($"{PageUrl(page - 1)}; rel=\"prev\"");
        }

        if (page < last)
        {
            links.Add($"{PageUrl(page + 1)}; rel=\"next\"");
            links.Add($"{PageUrl(last)}; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"{PageUrl(1)}; rel=\"first\"");
        }

        return (items, links.Count == 0 ? null : string.Join(", ", links));
    }

    // ---- shapes ----

    private JsonObject UserJson(string login, bool full = false)
    {
        var user = State.User(login);
        var json = new JsonObject
        {
            ["login"] = user.Login,
            ["id"] = user.Id,
            ["node_id"] = $"U_{user.Id}",
            ["avatar_url"] = $"https://avatars.githubusercontent.com/u/{user.Id}?v=4",
            ["url"] = $"{Url}users/{user.Login}",
            ["html_url"] = $"{Web}/{user.Login}",
            ["type"] = "User",
            ["site_admin"] = false,
        };
        if (full)
        {
            json["name"] = user.Name;
            json["company"] = null;
            json["public_repos"] = State.Repositories.Count(r => !r.Private && r.Owner == user.Login);
            json["created_at"] = "2020-01-01T00:00:00Z";
        }

        return json;
    }

    private JsonObject RepoJson(EmulatedRepository repo, EmulatedToken? token)
    {
        var json = new JsonObject
        {
            ["id"] = repo.Id,
            ["node_id"] = $"R_{repo.Id}",
            ["name"] = repo.Name,
            ["full_name"] = repo.FullName,
            ["private"] = repo.Private,
            ["owner"] = UserJson(repo.Owner),
            ["html_url"] = $"{Web}/{repo.FullName}",
            ["description"] = repo.Description,
            ["fork"] = false,
            ["url"] = $"{Url}repos/{repo.FullName}",
            ["created_at"] = "2020-01-01T00:00:00Z",
            ["updated_at"] = "2026-01-01T00:00:00Z",
            ["pushed_at"] = "2026-01-01T00:00:00Z",
            ["git_url"] = $"git://github.com/{repo.FullName}.git",
            ["ssh_url"] = $"git@github.com:{repo.FullName}.git",
            ["clone_url"] = $"{Web}/{repo.FullName}.git",
            ["language"] = repo.Language,
            ["stargazers_count"] = repo.Stars,
            ["watchers_count"] = repo.Stars,
            ["forks_count"] = 0,
            ["open_issues_count"] = repo.Issues.Count(i => i.State == "open"),
            ["archived"] = false,
            ["topics"] = new JsonArray([.. repo.Topics.Select(t => (JsonNode)t)]),
            ["visibility"] = repo.Private ? "private" : "public",
            ["default_branch"] = repo.DefaultBranch,
        };
        if (token is not null)
        {
            var push = repo.Collaborators.Contains(token.Login);
            json["permissions"] = new JsonObject { ["admin"] = false, ["maintain"] = push, ["push"] = push, ["triage"] = push, ["pull"] = true };
        }

        return json;
    }

    private static string Association(EmulatedRepository repo, string login) =>
        string.Equals(repo.Owner, login, StringComparison.OrdinalIgnoreCase) ? "OWNER" : repo.Collaborators.Contains(login) ? "COLLABORATOR" : "NONE";

    private JsonObject IssueJson(EmulatedRepository repo, EmulatedIssue issue)
    {
        var kind = issue is EmulatedPullRequest ? "pull" : "issues";
        var json = new JsonObject
        {
            ["url"] = $"{Url}repos/{repo.FullName}/issues/{issue.Number}",
            ["repository_url"] = $"{Url}repos/{repo.FullName}",
            ["html_url"] = $"{Web}/{repo.FullName}/{kind}/{issue.Number}",
            ["id"] = issue.Id,
            ["node_id"] = $"I_{issue.Id}",
            ["number"] = issue.Number,
            ["title"] = issue.Title,
            ["user"] = UserJson(issue.Author),
            ["labels"] = LabelsJson(repo, issue.Labels),
            ["state"] = issue.State,
            ["state_reason"] = issue.StateReason,
            ["locked"] = false,
            ["assignees"] = new JsonArray([.. issue.Assignees.Select(a => (JsonNode)UserJson(a))]),
            ["comments"] = issue.Comments.Count,
            ["created_at"] = Iso(issue.CreatedAt),
            ["updated_at"] = Iso(issue.UpdatedAt),
            ["closed_at"] = issue.State == "closed" ? Iso(issue.UpdatedAt) : null,
            ["author_association"] = Association(repo, issue.Author),
            ["body"] = issue.Body,
        };
        if (issue is EmulatedPullRequest)
        {
            json["pull_request"] = new JsonObject { ["url"] = $"{Url}repos/{repo.FullName}/pulls/{issue.Number}", ["html_url"] = $"{Web}/{repo.FullName}/pull/{issue.Number}" };
        }

        return json;
    }

    private JsonNode CommentJson(EmulatedRepository repo, EmulatedIssue issue, EmulatedComment comment) => new JsonObject
    {
        ["id"] = comment.Id,
        ["node_id"] = $"IC_{comment.Id}",
        ["html_url"] = $"{Web}/{repo.FullName}/issues/{issue.Number}#issuecomment-{comment.Id}",
        ["user"] = UserJson(comment.Author),
        ["created_at"] = Iso(comment.CreatedAt),
        ["updated_at"] = Iso(comment.CreatedAt),
        ["author_association"] = Association(repo, comment.Author),
        ["body"] = comment.Body,
    };

    private JsonObject PullJson(EmulatedRepository repo, EmulatedPullRequest pull)
    {
        var files = FileChanges(repo, pull);
        var json = new JsonObject
        {
            ["url"] = $"{Url}repos/{repo.FullName}/pulls/{pull.Number}",
            ["id"] = pull.Id,
            ["node_id"] = $"PR_{pull.Id}",
            ["html_url"] = $"{Web}/{repo.FullName}/pull/{pull.Number}",
            ["diff_url"] = $"{Web}/{repo.FullName}/pull/{pull.Number}.diff",
            ["patch_url"] = $"{Web}/{repo.FullName}/pull/{pull.Number}.patch",
            ["issue_url"] = $"{Url}repos/{repo.FullName}/issues/{pull.Number}",
            ["number"] = pull.Number,
            ["state"] = pull.State,
            ["locked"] = false,
            ["title"] = pull.Title,
            ["user"] = UserJson(pull.Author),
            ["body"] = pull.Body,
            ["labels"] = LabelsJson(repo, pull.Labels),
            ["created_at"] = Iso(pull.CreatedAt),
            ["updated_at"] = Iso(pull.UpdatedAt),
            ["closed_at"] = pull.State == "closed" ? Iso(pull.UpdatedAt) : null,
            ["merged_at"] = pull.Merged ? Iso(pull.UpdatedAt) : null,
            ["merge_commit_sha"] = pull.MergeCommitSha,
            ["assignee"] = pull.Assignees.Count > 0 ? UserJson(pull.Assignees[0]) : null,
            ["assignees"] = new JsonArray([.. pull.Assignees.Select(a => (JsonNode)UserJson(a))]),
            ["requested_reviewers"] = new JsonArray(),
            ["draft"] = pull.Draft,
            ["head"] = BranchRef(repo, pull.Head),
            ["base"] = BranchRef(repo, pull.Base),
            ["author_association"] = Association(repo, pull.Author),
            ["merged"] = pull.Merged,
            ["mergeable"] = pull.State == "open" ? pull.Mergeable : null,
            ["mergeable_state"] = pull.Mergeable ? "clean" : "dirty",
            ["comments"] = pull.Comments.Count,
            ["review_comments"] = 0,
            ["commits"] = Math.Max(1, repo.History(pull.Head).TakeWhile(c => c.Sha != repo.Branches.GetValueOrDefault(pull.Base)).Count()),
            ["additions"] = files.Sum(f => f.Additions),
            ["deletions"] = files.Sum(f => f.Deletions),
            ["changed_files"] = files.Count,
        };
        return json;
    }

    private JsonObject BranchRef(EmulatedRepository repo, string branch) => new()
    {
        ["label"] = $"{repo.Owner}:{branch}",
        ["ref"] = branch,
        ["sha"] = repo.Branches.GetValueOrDefault(branch) ?? "",
        ["user"] = UserJson(repo.Owner),
        ["repo"] = RepoJson(repo, null),
    };

    private JsonArray LabelsJson(EmulatedRepository repo, IEnumerable<string> labels) => new([.. labels.Select(l =>
    {
        var id = l.GetHashCode(StringComparison.Ordinal) & 0xFFFFFF;
        return (JsonNode)new JsonObject
        {
            ["id"] = id,
            ["node_id"] = $"LA_{id}",
            ["url"] = $"{Url}repos/{repo.FullName}/labels/{Uri.EscapeDataString(l)}",
            ["name"] = l,
            ["color"] = "ededed",
            ["default"] = false,
            ["description"] = null,
        };
    })]);

    private JsonNode ReviewJson(EmulatedRepository repo, EmulatedPullRequest pull, EmulatedReview review) => new JsonObject
    {
        ["id"] = review.Id,
        ["node_id"] = $"PRR_{review.Id}",
        ["user"] = UserJson(review.Author),
        ["body"] = review.Body,
        ["state"] = review.State,
        ["html_url"] = $"{Web}/{repo.FullName}/pull/{pull.Number}#pullrequestreview-{review.Id}",
        ["submitted_at"] = "2026-01-04T00:00:00Z",
        ["commit_id"] = repo.Branches.GetValueOrDefault(pull.Head),
        ["author_association"] = Association(repo, review.Author),
    };

    private JsonObject CommitJson(EmulatedRepository repo, EmulatedCommit commit, bool detailed)
    {
        var json = new JsonObject
        {
            ["sha"] = commit.Sha,
            ["node_id"] = $"C_{commit.Sha[..10]}",
            ["commit"] = new JsonObject
            {
                ["author"] = new JsonObject { ["name"] = commit.Author, ["email"] = $"{commit.Author}@example.com", ["date"] = Iso(commit.Date) },
                ["committer"] = new JsonObject { ["name"] = commit.Author, ["email"] = $"{commit.Author}@example.com", ["date"] = Iso(commit.Date) },
                ["message"] = commit.Message,
                ["comment_count"] = 0,
            },
            ["url"] = $"{Url}repos/{repo.FullName}/commits/{commit.Sha}",
            ["html_url"] = $"{Web}/{repo.FullName}/commit/{commit.Sha}",
            ["author"] = UserJson(commit.Author),
            ["parents"] = new JsonArray([.. (commit.Parent is null ? [] : new[] { commit.Parent }).Select(p => (JsonNode)new JsonObject { ["sha"] = p })]),
        };
        if (detailed)
        {
            var parentTree = commit.Parent is null ? new Dictionary<string, string>() : repo.Commits[commit.Parent].Tree;
            var files = commit.Changes.Keys.Order(StringComparer.Ordinal).Select(path => Change(repo, commit.Sha, path, parentTree.GetValueOrDefault(path), commit.Tree[path])).ToList();
            json["stats"] = new JsonObject { ["total"] = files.Sum(f => f.Additions + f.Deletions), ["additions"] = files.Sum(f => f.Additions), ["deletions"] = files.Sum(f => f.Deletions) };
            json["files"] = new JsonArray([.. files.Select(f => f.Json)]);
        }

        return json;
    }

    private JsonObject RunJson(EmulatedRepository repo, EmulatedWorkflowRun run) => new()
    {
        ["id"] = run.Id,
        ["name"] = run.Name,
        ["node_id"] = $"WFR_{run.Id}",
        ["head_branch"] = run.Branch,
        ["head_sha"] = run.HeadSha,
        ["display_title"] = repo.Commits.GetValueOrDefault(run.HeadSha)?.Message.Split('\n')[0] ?? run.Name,
        ["run_number"] = run.RunNumber,
        ["event"] = run.Event,
        ["status"] = run.Status,
        ["conclusion"] = run.Conclusion,
        ["workflow_id"] = 161335,
        ["url"] = $"{Url}repos/{repo.FullName}/actions/runs/{run.Id}",
        ["html_url"] = $"{Web}/{repo.FullName}/actions/runs/{run.Id}",
        ["created_at"] = "2026-01-05T00:00:00Z",
        ["updated_at"] = "2026-01-05T00:10:00Z",
        ["run_attempt"] = 1,
        ["actor"] = UserJson(repo.Owner),
    };

    private JsonNode JobJson(EmulatedRepository repo, EmulatedWorkflowRun run, EmulatedJob job) => new JsonObject
    {
        ["id"] = job.Id,
        ["run_id"] = run.Id,
        ["name"] = job.Name,
        ["status"] = run.Status == "completed" ? "completed" : "in_progress",
        ["conclusion"] = run.Status == "completed" ? job.Conclusion : null,
        ["started_at"] = "2026-01-05T00:00:00Z",
        ["completed_at"] = run.Status == "completed" ? "2026-01-05T00:09:00Z" : null,
        ["html_url"] = $"{Web}/{repo.FullName}/actions/runs/{run.Id}/job/{job.Id}",
        ["steps"] = new JsonArray(new JsonObject { ["name"] = "Run", ["status"] = "completed", ["conclusion"] = job.Conclusion, ["number"] = 1 }),
    };

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // ---- diffs ----

    private sealed record FileChange(string Path, int Additions, int Deletions, string Patch, JsonNode Json);

    private FileChange Change(EmulatedRepository repo, string reference, string path, string? before, string? after)
    {
        var oldLines = before is null ? [] : before.TrimEnd('\n').Split('\n');
        var newLines = after is null ? [] : after.TrimEnd('\n').Split('\n');
        var common = oldLines.Intersect(newLines).ToHashSet(StringComparer.Ordinal);
        var removed = oldLines.Where(l => !common.Contains(l)).ToList();
        var added = newLines.Where(l => !common.Contains(l)).ToList();
        var patch = new StringBuilder($"@@ -{(oldLines.Length == 0 ? 0 : 1)},{oldLines.Length} +{(newLines.Length == 0 ? 0 : 1)},{newLines.Length} @@\n");
        foreach (var line in oldLines.Where(l => common.Contains(l)).Take(0))
        {
            patch.Append(' ').Append(line).Append('\n');
        }

        foreach (var line in oldLines)
        {
            patch.Append(common.Contains(line) ? ' ' : '-').Append(line).Append('\n');
        }

        foreach (var line in added)
        {
            patch.Append('+').Append(line).Append('\n');
        }

        var status = before is null ? "added" : after is null ? "removed" : "modified";
        var json = new JsonObject
        {
            ["sha"] = GitHubState.ObjectId(after ?? ""),
            ["filename"] = path,
            ["status"] = status,
            ["additions"] = added.Count,
            ["deletions"] = removed.Count,
            ["changes"] = added.Count + removed.Count,
            ["blob_url"] = $"{Web}/{repo.FullName}/blob/{reference}/{path}",
            ["raw_url"] = $"{Web}/{repo.FullName}/raw/{reference}/{path}",
            ["contents_url"] = $"{Url}repos/{repo.FullName}/contents/{path}?ref={reference}",
            ["patch"] = patch.ToString().TrimEnd('\n'),
        };
        return new FileChange(path, added.Count, removed.Count, patch.ToString(), json);
    }

    private List<FileChange> FileChanges(EmulatedRepository repo, EmulatedPullRequest pull)
    {
        var head = repo.Resolve(pull.Head)?.Tree ?? [];
        var @base = repo.Resolve(pull.Base)?.Tree ?? [];
        return head.Keys.Union(@base.Keys).Order(StringComparer.Ordinal)
            .Where(p => head.GetValueOrDefault(p) != @base.GetValueOrDefault(p))
            .Select(p => Change(repo, repo.Branches.GetValueOrDefault(pull.Head) ?? pull.Head, p, @base.GetValueOrDefault(p), head.GetValueOrDefault(p)))
            .ToList();
    }

    private string Diff(EmulatedRepository repo, EmulatedPullRequest pull)
    {
        var diff = new StringBuilder();
        foreach (var file in FileChanges(repo, pull))
        {
            diff.Append($"diff --git a/{file.Path} b/{file.Path}\n");
            diff.Append(file.Deletions == 0 && !file.Patch.Contains("\n ", StringComparison.Ordinal) && file.Patch.StartsWith("@@ -0,0", StringComparison.Ordinal) ? $"new file mode 100644\n--- /dev/null\n" : $"--- a/{file.Path}\n");
            diff.Append($"+++ b/{file.Path}\n").Append(file.Patch);
        }

        return diff.ToString();
    }

    // ---- handlers ----

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

    private Reply ListIssues(HttpRequest request, EmulatedRepository repo)
    {
        var state = request.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
        var labels = request.Query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var issues = repo.Issues
            .Where(i => state == "all" || i.State == state)
            .Where(i => labels.All(l => i.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
            .OrderByDescending(i => i.Number)
            .Select(i => (JsonNode)IssueJson(repo, i)).ToList();
        return Paged(request, issues);
    }

    private Reply ListPulls(HttpRequest request, EmulatedRepository repo)
    {
        var state = request.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
        var pulls = repo.Pulls.Where(p => state == "all" || p.State == state).OrderByDescending(p => p.Number).Select(p => (JsonNode)PullJson(repo, p)).ToList();
        return Paged(request, pulls);
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

    private static EmulatedIssue? FindIssue(EmulatedRepository repo, string number) =>
        int.TryParse(number, CultureInfo.InvariantCulture, out var n) ? repo.Issues.FirstOrDefault(i => i.Number == n) : null;

    private static EmulatedPullRequest? FindPull(EmulatedRepository repo, string number) => FindIssue(repo, number) as EmulatedPullRequest;

    private static string? Text(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static List<string>? Strings(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var node) && node is JsonArray array ? [.. array.Select(n => n!.GetValue<string>())] : null;

    private Reply CreateIssue(EmulatedRepository repo, JsonObject body, EmulatedToken token)
    {
        if (string.IsNullOrWhiteSpace(Text(body, "title")))
        {
            return Reply.Validation("Issue", "title", "missing_field", "https://docs.github.com/rest/issues/issues#create-an-issue");
        }

        var issue = new EmulatedIssue(repo.NextNumber(), Text(body, "title")!, token.Login, State.NextId())
        {
            Body = Text(body, "body"),
            Labels = Strings(body, "labels") ?? [],
            Assignees = Strings(body, "assignees") ?? [],
        };
        if (issue.Assignees.FirstOrDefault(a => !State.Users.ContainsKey(a)) is { } unknown)
        {
            return Reply.Error(422, "Validation Failed", "https://docs.github.com/rest/issues/issues#create-an-issue",
                [new JsonObject { ["value"] = unknown, ["resource"] = "Issue", ["field"] = "assignees", ["code"] = "invalid" }]);
        }

        repo.Issues.Add(issue);
        return Reply.Ok(IssueJson(repo, issue), 201);
    }

    private Reply UpdateIssue(EmulatedRepository repo, EmulatedIssue issue, JsonObject body)
    {
        var state = Text(body, "state");
        if (state is not null and not ("open" or "closed"))
        {
            return Reply.Validation("Issue", "state", "invalid", "https://docs.github.com/rest/issues/issues#update-an-issue");
        }

        if (body.ContainsKey("title") && string.IsNullOrWhiteSpace(Text(body, "title")))
        {
            return Reply.Validation("Issue", "title", "missing_field", "https://docs.github.com/rest/issues/issues#update-an-issue");
        }

        issue.Title = Text(body, "title") ?? issue.Title;
        issue.Body = body.ContainsKey("body") ? Text(body, "body") : issue.Body;
        issue.State = state ?? issue.State;
        issue.StateReason = Text(body, "state_reason") ?? (state == "closed" ? "completed" : issue.StateReason);
        issue.Labels = Strings(body, "labels") ?? issue.Labels;
        issue.Assignees = Strings(body, "assignees") ?? issue.Assignees;
        issue.UpdatedAt = DateTimeOffset.UtcNow;
        return Reply.Ok(IssueJson(repo, issue));
    }

    private Reply AddComment(EmulatedRepository repo, EmulatedIssue issue, JsonObject body, EmulatedToken token)
    {
        if (string.IsNullOrWhiteSpace(Text(body, "body")))
        {
            return Reply.Validation("IssueComment", "body", "missing_field", "https://docs.github.com/rest/issues/comments#create-an-issue-comment");
        }

        var comment = new EmulatedComment(State.NextId(), token.Login, Text(body, "body")!);
        issue.Comments.Add(comment);
        return Reply.Ok(CommentJson(repo, issue, comment), 201);
    }

    private Reply CreatePull(EmulatedRepository repo, JsonObject body, EmulatedToken token)
    {
        const string doc = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
        var title = Text(body, "title");
        var head = Text(body, "head")?.Split(':')[^1];
        var @base = Text(body, "base");
        if (string.IsNullOrWhiteSpace(title))
        {
            return Reply.Validation("PullRequest", "title", "missing_field", doc);
        }

        if (head is null || !repo.Branches.ContainsKey(head))
        {
            return Reply.Validation("PullRequest", "head", "invalid", doc);
        }

        if (@base is null || !repo.Branches.ContainsKey(@base))
        {
            return Reply.Validation("PullRequest", "base", "invalid", doc);
        }

        if (repo.Pulls.Any(p => p.State == "open" && p.Head == head && p.Base == @base))
        {
            return Reply.Error(422, "Validation Failed", doc,
                [new JsonObject { ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = $"A pull request already exists for {repo.Owner}:{head}." }]);
        }

        var pull = new EmulatedPullRequest(repo.NextNumber(), title, token.Login, State.NextId(), head, @base)
        {
            Body = Text(body, "body"),
            Draft = body["draft"]?.GetValue<bool>() ?? false,
        };
        repo.Issues.Add(pull);
        return Reply.Ok(PullJson(repo, pull), 201);
    }

    private Reply Merge(EmulatedRepository repo, EmulatedPullRequest pull, JsonObject body)
    {
        var method = Text(body, "merge_method") ?? "merge";
        if (method is not ("merge" or "squash" or "rebase"))
        {
            return Reply.Validation("PullRequest", "merge_method", "invalid", "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request");
        }

        if (pull.Merged || pull.State != "open" || !pull.Mergeable)
        {
            return Reply.Error(405, "Pull Request is not mergeable", "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request");
        }

        var headSha = repo.Branches[pull.Head];
        if (Text(body, "sha") is { } sha && sha != headSha)
        {
            return Reply.Error(409, "Head branch was modified. Review and try the merge again.", "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request");
        }

        var changes = repo.Commits[headSha].Tree.Where(f => repo.Resolve(pull.Base)!.Tree.GetValueOrDefault(f.Key) != f.Value).ToDictionary();
        var merged = repo.AddCommit(State, pull.Base, pull.Author, Text(body, "commit_title") ?? $"Merge pull request #{pull.Number}", changes);
        pull.Merged = true;
        pull.State = "closed";
        pull.MergeCommitSha = merged.Sha;
        return Reply.Ok(new JsonObject { ["sha"] = merged.Sha, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
    }

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

    // ---- logs and apps ----

    private static string LogSignature(long jobId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"log-{jobId}")))[..16];

    private Reply BlobLog(string jobId, string signature)
    {
        lock (State.Gate)
        {
            var job = State.Repositories.SelectMany(r => r.Runs).SelectMany(r => r.Jobs).FirstOrDefault(j => j.Id.ToString(CultureInfo.InvariantCulture) == jobId);
            if (job is null || signature != LogSignature(job.Id))
            {
                return new Reply(403) { Text = "<Error><Code>AuthenticationFailed</Code></Error>", ContentType = "application/xml" };
            }

            return new Reply(200) { Text = job.Log, ContentType = "text/plain" };
        }
    }

    private Reply MintInstallationToken(string authorization, string installation)
    {
        const string doc = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        var parts = authorization[7..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        JsonObject header, payload;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
            payload = JsonNode.Parse(Base64Url(parts[1]))!.AsObject();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return Reply.Error(401, "A JSON web token could not be decoded", doc);
        }

        var issuer = payload["iss"]?.ToString() ?? "";
        lock (State.Gate)
        {
            if (header["alg"]?.ToString() != "RS256" || !State.Apps.TryGetValue(issuer, out var app))
            {
                return Reply.Error(401, "'Issuer' claim ('iss') must be an Integer", doc);
            }

            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!app.PublicKey.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return Reply.Error(401, "A JSON web token could not be decoded", doc);
            }

            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var iat = payload["iat"]?.GetValue<long>() ?? 0;
            var exp = payload["exp"]?.GetValue<long>() ?? 0;
            if (exp <= now || exp - iat > 660 || iat > now + 60)
            {
                return Reply.Error(401, "'Expiration time' claim ('exp') is too far in the future", doc);
            }

            if (installation != app.InstallationId.ToString(CultureInfo.InvariantCulture))
            {
                return Reply.Error(404, "Not Found", doc);
            }

            app.TokensMinted++;
            var token = "ghs_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18));
            var expires = DateTimeOffset.UtcNow + app.TokenLifetime;
            State.Tokens[token] = new EmulatedToken("app-bot[bot]") { FineGrained = true, SeesPrivate = true, ExpiresAt = expires };
            return Reply.Ok(new JsonObject
            {
                ["token"] = token,
                ["expires_at"] = Iso(expires),
                ["permissions"] = new JsonObject { ["issues"] = "write", ["contents"] = "read", ["pull_requests"] = "write", ["actions"] = "read", ["metadata"] = "read" },
                ["repository_selection"] = "all",
            }, 201);
        }
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }
}
