using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

// Issues and pull requests: list, create, update, comment, merge.
public sealed partial class GitHubEmulator
{
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
}
