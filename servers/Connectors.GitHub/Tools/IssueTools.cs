using System.ComponentModel;
using System.Text;
using Connectors.GitHub.Api;
using Connectors.Hosting.Output;
using Connectors.Hosting.Tools;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.GitHub.Tools;

/// <summary>Issues: read, search, create, update, comment.</summary>
[McpServerToolType]
internal sealed class IssueTools(GitHubClient client, GitHubGuard guard, OutputBudget budget, IdempotencyCache idempotency)
{
    internal const string KeyDescription = "Retry key: a repeat within 1 h returns the first result";
    private const int CommentsPerPage = 30;

    [McpServerTool(Name = "list_issues", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Issues, newest first; pull requests too, marked [PR].")]
    public async Task<string> ListIssues(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("open (default), closed or all")] string? state = null,
        [Description("Only issues with all these labels")] string[]? labels = null,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder(GitHubGuard.Paging(page, per_page)).Append("&state=").Append(State(state));
        if (labels is { Length: > 0 })
        {
            query.Append("&labels=").Append(Uri.EscapeDataString(string.Join(',', labels.Select(l => GitHubGuard.Text(l, nameof(labels), 100, required: true)))));
        }

        var response = await client.GetAsync($"{GitHubGuard.Repo(repo)}/issues?{query}", GitHubJson.Default.ListGitHubIssue, $"issues of {repo}", cancellationToken);
        var text = new ToolText(budget);
        foreach (var issue in response.Value)
        {
            IssueLine(text, issue, null);
        }

        return text.Finish(response.Value.Count == 0 ? "No issues match." : ToolText.More(response.HasNextPage, page, "issues"));
    }

    [McpServerTool(Name = "get_issue", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("An issue with a page of comments.")]
    public async Task<string> GetIssue(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Issue number")] int issue_number,
        [Description("Comments page (30 each)")] int comments_page = 1,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/issues/{GitHubGuard.Number(issue_number, nameof(issue_number))}";
        var paging = GitHubGuard.Paging(comments_page, CommentsPerPage);
        var lockdown = await guard.LockdownAsync(repo, cancellationToken);
        var issue = (await client.GetAsync(path, GitHubJson.Default.GitHubIssue, $"issue #{issue_number} of {repo}", cancellationToken)).Value;
        var text = new ToolText(budget, lockdown);
        IssueLine(text, issue, null);
        if (issue.Assignees is { Count: > 0 } assignees)
        {
            text.Line($"  assignees: {text.Inline(string.Join(", ", assignees.Select(a => a.Login)))}");
        }

        text.Line().Body(issue.Body, issue.AuthorAssociation, "");
        string? more = null;
        // Skipping the comments request when there are none keeps a plain get to one GitHub call.
        if (issue.Comments > 0)
        {
            var comments = await client.GetAsync($"{path}/comments?{paging}", GitHubJson.Default.ListGitHubComment, $"comments of #{issue_number}", cancellationToken);
            text.Line().Line($"Comments (page {comments_page}, {issue.Comments} in all):");
            foreach (var c in comments.Value)
            {
                text.Line($"- {text.Inline(c.User?.Login)} at {ToolText.Date(c.CreatedAt)} (id {c.Id}):").Body(c.Body, c.AuthorAssociation, "    ");
            }

            more = comments.HasNextPage ? $"More comments exist: call again with comments_page={(comments_page) + 1}." : null;
        }

        return text.Finish(more, "Read the comments page by page with comments_page.");
    }

    [McpServerTool(Name = "search_issues", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Issue and pull request search, e.g. crash repo:octo-org/widgets is:issue is:open.")]
    public async Task<string> SearchIssues(
        [Description("Search query with qualifiers")] string query,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var q = Uri.EscapeDataString(GitHubGuard.Text(query, nameof(query), 256, required: true));
        var response = await client.GetAsync($"search/issues?q={q}&{GitHubGuard.Paging(page, per_page)}", GitHubJson.Default.GitHubSearchGitHubIssue, "issue search results", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.TotalCount:N0} match{(response.Value.IncompleteResults ? " (GitHub's results are incomplete)" : "")}.");
        foreach (var issue in response.Value.Items)
        {
            IssueLine(text, issue, RepositoryOf(issue));
        }

        return text.Finish(ToolText.More(response.HasNextPage, page));
    }

    [McpServerTool(Name = "create_issue", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Opens an issue.")]
    public async Task<string> CreateIssue(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Title")] string title,
        [Description("Markdown")] string? body = null,
        [Description("Labels")] string[]? labels = null,
        [Description("Assignee logins")] string[]? assignees = null,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/issues";
        var request = new CreateIssueRequest(GitHubGuard.Text(title, nameof(title), 256, required: true), body is null ? null : GitHubGuard.Text(body, nameof(body), 65_536), labels, assignees);
        var result = await idempotency.RunOnceAsync(
            "create_issue", idempotency_key, Fingerprint(path, title, body, labels, assignees), context.User,
            ct => client.SendAsync(HttpMethod.Post, path, request, GitHubJson.Default.CreateIssueRequest, GitHubJson.Default.GitHubIssue, $"a new issue in {repo}", ct),
            GitHubJson.Default.GitHubIssue, cancellationToken);
        return Written(result, "Created", result.Value);
    }

    [McpServerTool(Name = "update_issue", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Changes an issue; arguments left out stay as they are.")]
    public async Task<string> UpdateIssue(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Issue number")] int issue_number,
        [Description("Title")] string? title = null,
        [Description("Markdown")] string? body = null,
        [Description("open or closed")] string? state = null,
        [Description("Why the state changes: completed, not_planned or duplicate when closing; reopened when reopening")] string? state_reason = null,
        [Description("Replaces all labels")] string[]? labels = null,
        [Description("Replaces all assignees")] string[]? assignees = null,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/issues/{GitHubGuard.Number(issue_number, nameof(issue_number))}";
        if (state is not null and not ("open" or "closed"))
        {
            throw Hosting.Errors.ConnectorException.InvalidArgument(nameof(state), "open or closed.");
        }

        if (state_reason is not null and not ("completed" or "not_planned" or "duplicate" or "reopened"))
        {
            throw Hosting.Errors.ConnectorException.InvalidArgument(nameof(state_reason), "completed, not_planned, duplicate or reopened.");
        }

        var request = new UpdateIssueRequest(
            title is null ? null : GitHubGuard.Text(title, nameof(title), 256, required: true), body is null ? null : GitHubGuard.Text(body, nameof(body), 65_536),
            state, state_reason, labels, assignees);
        var result = await idempotency.RunOnceAsync(
            "update_issue", idempotency_key, Fingerprint(path, title, body, state, state_reason, labels, assignees), context.User,
            ct => client.SendAsync(HttpMethod.Patch, path, request, GitHubJson.Default.UpdateIssueRequest, GitHubJson.Default.GitHubIssue, $"issue #{issue_number} of {repo}", ct),
            GitHubJson.Default.GitHubIssue, cancellationToken);
        return Written(result, "Updated", result.Value);
    }

    [McpServerTool(Name = "add_issue_comment", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Comments on an issue or pull request.")]
    public async Task<string> AddIssueComment(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Issue or pull request number")] int issue_number,
        [Description("Markdown")] string body,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/issues/{GitHubGuard.Number(issue_number, nameof(issue_number))}/comments";
        var request = new CommentRequest(GitHubGuard.Text(body, nameof(body), 65_536, required: true));
        var result = await idempotency.RunOnceAsync(
            "add_issue_comment", idempotency_key, Fingerprint(path, body), context.User,
            ct => client.SendAsync(HttpMethod.Post, path, request, GitHubJson.Default.CommentRequest, GitHubJson.Default.GitHubComment, $"a comment on #{issue_number} of {repo}", ct),
            GitHubJson.Default.GitHubComment, cancellationToken);
        var replay = ToolText.Replay(result);
        return $"Commented on #{issue_number}{replay}: comment id {result.Value.Id} · {result.Value.HtmlUrl}\n";
    }

    internal static string Fingerprint(params object?[] parts) =>
        string.Join('\u001f', parts.Select(p => p is string[] list ? string.Join('\u001e', list) : p?.ToString() ?? "\u0000"));

    internal static string State(string? state) => state switch
    {
        null => "open",
        "open" or "closed" or "all" => state,
        _ => throw Hosting.Errors.ConnectorException.InvalidArgument("state", "open, closed or all."),
    };

    private static string? RepositoryOf(GitHubIssue issue) =>
        issue.RepositoryUrl is { } url && url.LastIndexOf("/repos/", StringComparison.Ordinal) is var at and >= 0 ? url[(at + 7)..] : null;

    private static void IssueLine(ToolText text, GitHubIssue issue, string? repository)
    {
        var kind = issue.PullRequest is not null ? "[PR] " : "";
        var labels = issue.Labels is { Count: > 0 } l ? $" · labels: {text.Inline(string.Join(", ", l.Select(x => x.Name)))}" : "";
        text.Line($"{repository}#{issue.Number} {kind}[{issue.State}{(issue.StateReason is { } reason && issue.State == "closed" ? $": {reason}" : "")}] {text.Inline(issue.Title)}");
        text.Line($"  by {text.Inline(issue.User?.Login)} · {issue.Comments} comments · updated {ToolText.Date(issue.UpdatedAt)}{labels} · {issue.HtmlUrl}");
    }

    private static string Written(IdempotentResult<GitHubIssue> result, string verb, GitHubIssue issue)
    {
        var replay = ToolText.Replay(result);
        return $"{verb} issue #{issue.Number} [{issue.State}]{replay} · {issue.HtmlUrl}\n";
    }
}
