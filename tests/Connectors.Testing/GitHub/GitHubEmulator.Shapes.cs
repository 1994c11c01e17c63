using System.Globalization;
using System.Text.Json.Nodes;

namespace Connectors.Testing.GitHub;

// The JSON shapes GitHub answers with, built from the emulated state.
public sealed partial class GitHubEmulator
{
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
}
