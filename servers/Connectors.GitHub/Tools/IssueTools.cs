using System.Text;
using Connectors.GitHub.Api;

namespace Connectors.GitHub.Tools;

/// <summary>Issues: read, search, create, update, comment.</summary>
[McpServerToolType]
internal sealed class IssueTools(GitHubClient client, GitHubGuard guard, OutputBudget budget, IdempotencyCache idempotency)
{
    internal const string KeyDescription = "Repeat in 1 h returns first result";
    private const int CommentsPerPage = 30;

    [McpServerTool(Name = "list_issues", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(IssueList))]
    [Description("Issues, newest first; PRs too, marked [PR].")]
    public async Task<CallToolResult> ListIssues(
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
        var issues = response.Value.Select(issue => IssueLine(text, issue, null)).ToList();
        var shown = text.Finish(response.Value.Count == 0 ? "No issues match." : ToolText.More(response.HasNextPage, page, "issues"));
        return TypedResults.Create(shown, new IssueList(issues, null, false, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.IssueList);
    }

    [McpServerTool(Name = "get_issue", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(IssueResult))]
    [Description("An issue with a page of comments.")]
    public async Task<CallToolResult> GetIssue(
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
        var item = IssueLine(text, issue, null);
        var assignees = (issue.Assignees ?? []).Select(a => text.Inline(a.Login)).ToList();
        if (assignees.Count > 0)
        {
            text.Line($"  assignees: {string.Join(", ", assignees)}");
        }

        var body = text.Line().Shown(issue.Body, issue.AuthorAssociation, "");
        var shownComments = new List<CommentItem>();
        int? nextCommentsPage = null;
        string? more = null;
        // Skipping the comments request when there are none keeps a plain get to one GitHub call.
        if (issue.Comments > 0)
        {
            var comments = await client.GetAsync($"{path}/comments?{paging}", GitHubJson.Default.ListGitHubComment, $"comments of #{issue_number}", cancellationToken);
            text.Line().Line($"Comments (page {comments_page}, {issue.Comments} in all):");
            foreach (var c in comments.Value)
            {
                var author = text.Inline(c.User?.Login);
                var commentBody = text.Line($"- {author} at {ToolText.Date(c.CreatedAt)} (id {c.Id}):").Shown(c.Body, c.AuthorAssociation, "    ");
                shownComments.Add(new CommentItem(c.Id, author, c.CreatedAt, commentBody, commentBody is null, c.HtmlUrl));
            }

            more = comments.HasNextPage ? $"More comments exist: call again with comments_page={(comments_page) + 1}." : null;
            nextCommentsPage = ToolText.NextPage(comments.HasNextPage, comments_page);
        }

        var shown = text.Finish(more, "Read the comments page by page with comments_page.");
        return TypedResults.Create(shown, new IssueResult(item, assignees, body, body is null, shownComments, nextCommentsPage, text.Cut), GitHubResultsJson.Default.IssueResult);
    }

    [McpServerTool(Name = "search_issues", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(IssueList))]
    [Description("Issue and PR search, e.g. crash is:issue is:open.")]
    public async Task<CallToolResult> SearchIssues(
        [Description("Query with qualifiers")] string query,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var q = Uri.EscapeDataString(GitHubGuard.Text(query, nameof(query), 256, required: true));
        var response = await client.GetAsync($"search/issues?q={q}&{GitHubGuard.Paging(page, per_page)}", GitHubJson.Default.GitHubSearchGitHubIssue, "issue search results", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.TotalCount:N0} match{(response.Value.IncompleteResults ? " (GitHub's results are incomplete)" : "")}.");
        var issues = response.Value.Items.Select(issue => IssueLine(text, issue, RepositoryOf(issue))).ToList();
        var shown = text.Finish(ToolText.More(response.HasNextPage, page));
        var value = new IssueList(issues, response.Value.TotalCount, response.Value.IncompleteResults, ToolText.NextPage(response.HasNextPage, page), text.Cut);
        return TypedResults.Create(shown, value, GitHubResultsJson.Default.IssueList);
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
        var result = await client.SendOnceAsync(
            idempotency, "create_issue", idempotency_key, Fingerprint(path, title, body, labels, assignees), context.User,
            HttpMethod.Post, path, request, GitHubJson.Default.CreateIssueRequest, GitHubJson.Default.GitHubIssue, $"a new issue in {repo}", cancellationToken);
        return Written(result, "Created", result.Value);
    }

    [McpServerTool(Name = "update_issue", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Changes an issue; omitted arguments stay.")]
    public async Task<string> UpdateIssue(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Issue number")] int issue_number,
        [Description("Title")] string? title = null,
        [Description("Markdown")] string? body = null,
        [Description("open or closed")] string? state = null,
        [Description("completed, not_planned or duplicate (closing); reopened")] string? state_reason = null,
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
        var result = await client.SendOnceAsync(
            idempotency, "update_issue", idempotency_key, Fingerprint(path, title, body, state, state_reason, labels, assignees), context.User,
            HttpMethod.Patch, path, request, GitHubJson.Default.UpdateIssueRequest, GitHubJson.Default.GitHubIssue, $"issue #{issue_number} of {repo}", cancellationToken);
        return Written(result, "Updated", result.Value);
    }

    [McpServerTool(Name = "add_issue_comment", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Comments on an issue or pull request.")]
    public async Task<string> AddIssueComment(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Issue or PR number")] int issue_number,
        [Description("Markdown")] string body,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/issues/{GitHubGuard.Number(issue_number, nameof(issue_number))}/comments";
        var request = new CommentRequest(GitHubGuard.Text(body, nameof(body), 65_536, required: true));
        var result = await client.SendOnceAsync(
            idempotency, "add_issue_comment", idempotency_key, Fingerprint(path, body), context.User,
            HttpMethod.Post, path, request, GitHubJson.Default.CommentRequest, GitHubJson.Default.GitHubComment, $"a comment on #{issue_number} of {repo}", cancellationToken);
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

    private static IssueItem IssueLine(ToolText text, GitHubIssue issue, string? repository)
    {
        var kind = issue.PullRequest is not null ? "[PR] " : "";
        var labels = (issue.Labels ?? []).Select(x => text.Inline(x.Name)).ToList();
        var title = text.Inline(issue.Title);
        var author = text.Inline(issue.User?.Login);
        text.Line($"{repository}#{issue.Number} {kind}[{issue.State}{(issue.StateReason is { } reason && issue.State == "closed" ? $": {reason}" : "")}] {title}");
        text.Line($"  by {author} · {issue.Comments} comments · updated {ToolText.Date(issue.UpdatedAt)}{(labels.Count > 0 ? $" · labels: {string.Join(", ", labels)}" : "")} · {issue.HtmlUrl}");
        return new IssueItem(repository, issue.Number, issue.PullRequest is not null, issue.State, issue.StateReason, title, author, issue.Comments, issue.UpdatedAt, labels, issue.HtmlUrl);
    }

    private static string Written(IdempotentResult<GitHubIssue> result, string verb, GitHubIssue issue)
    {
        var replay = ToolText.Replay(result);
        return $"{verb} issue #{issue.Number} [{issue.State}]{replay} · {issue.HtmlUrl}\n";
    }
}
