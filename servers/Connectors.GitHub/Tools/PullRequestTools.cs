using Connectors.GitHub.Api;

namespace Connectors.GitHub.Tools;

/// <summary>Pull requests: read, diff, files, reviews, create, merge.</summary>
[McpServerToolType]
internal sealed class PullRequestTools(GitHubClient client, GitHubGuard guard, OutputBudget budget, IdempotencyCache idempotency)
{
    private const int DefaultDiffLines = 2000;

    [McpServerTool(Name = "list_pull_requests", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(PullList))]
    [Description("Pull requests, newest first.")]
    public async Task<CallToolResult> ListPullRequests(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("open (default), closed or all")] string? state = null,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var url = $"{GitHubGuard.Repo(repo)}/pulls?{GitHubGuard.Paging(page, per_page)}&state={IssueTools.State(state)}";
        var response = await client.GetAsync(url, GitHubJson.Default.ListGitHubPullRequest, $"pull requests of {repo}", cancellationToken);
        var text = new ToolText(budget);
        var pulls = response.Value.Select(pr => PullLine(text, pr)).ToList();
        var shown = text.Finish(response.Value.Count == 0 ? "No pull requests match." : ToolText.More(response.HasNextPage, page, "pull requests"));
        return TypedResults.Create(shown, new PullList(pulls, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.PullList);
    }

    [McpServerTool(Name = "get_pull_request", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(PullResult))]
    [Description("A pull request: branches, state, mergeability, body.")]
    public async Task<CallToolResult> GetPullRequest(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("PR number")] int pull_number,
        CancellationToken cancellationToken = default)
    {
        var lockdown = await guard.LockdownAsync(repo, cancellationToken);
        var pr = (await client.GetAsync(PullPath(repo, pull_number), GitHubJson.Default.GitHubPullRequest, $"pull request #{pull_number} of {repo}", cancellationToken)).Value;
        var text = new ToolText(budget, lockdown);
        var item = PullLine(text, pr);
        text.Line($"  {text.Inline(pr.Head.Label ?? pr.Head.Ref)} ({pr.Head.Sha[..Math.Min(12, pr.Head.Sha.Length)]}) → {item.Base} · {pr.Commits} commits · +{pr.Additions} -{pr.Deletions} in {pr.ChangedFiles} files");
        text.Line($"  mergeable: {(pr.Merged ? "already merged" : pr.Mergeable switch { true => "yes", false => "no", null => "being computed" })}{(pr.MergeableState is { } ms ? $" ({ms})" : "")}");
        var body = text.Line().Shown(pr.Body, pr.AuthorAssociation, "");
        var shown = text.Finish();
        var value = new PullResult(item, pr.Head.Sha, pr.Commits, pr.Additions, pr.Deletions, pr.ChangedFiles, pr.Mergeable, pr.MergeableState, body, body is null, text.Cut);
        return TypedResults.Create(shown, value, GitHubResultsJson.Default.PullResult);
    }

    [McpServerTool(Name = "get_pull_request_diff", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Unified diff of a pull request.")]
    public async Task<string> GetPullRequestDiff(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("PR number")] int pull_number,
        [Description("Only paths containing this")] string? file = null,
        [Description("Most lines (default 2000)")] int? max_lines = null,
        CancellationToken cancellationToken = default)
    {
        if (max_lines is < 1 or > 100_000)
        {
            throw ConnectorException.InvalidArgument(nameof(max_lines), "from 1 to 100000.");
        }

        var diff = await client.GetDiffAsync(PullPath(repo, pull_number), $"the diff of #{pull_number} in {repo}", cancellationToken);
        var text = new ToolText(budget);
        var lines = text.Plain(diff).Split('\n');
        var kept = new List<string>();
        var include = file is null;
        foreach (var line in lines)
        {
            if (line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                include = file is null || line.Contains(file, StringComparison.Ordinal);
            }

            if (include)
            {
                kept.Add(line);
            }
        }

        var limit = max_lines ?? DefaultDiffLines;
        foreach (var line in kept.Take(limit))
        {
            text.Line(line);
        }

        var more = kept.Count > limit ? $"Diff cut: {kept.Count - limit:N0} more lines. Narrow with file=, or raise max_lines." : kept.Count == 0 ? "No changes match." : null;
        return text.Finish(more, "Narrow the diff with file= (see get_pull_request_files for the paths).");
    }

    [McpServerTool(Name = "get_pull_request_files", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(FileList))]
    [Description("Changed files: line counts, patches.")]
    public async Task<CallToolResult> GetPullRequestFiles(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("PR number")] int pull_number,
        [Description("Patch lines per file (default 0: none)")] int? max_patch_lines = null,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        if (max_patch_lines is < 0 or > 10_000)
        {
            throw ConnectorException.InvalidArgument(nameof(max_patch_lines), "from 0 to 10000.");
        }

        var url = $"{PullPath(repo, pull_number)}/files?{GitHubGuard.Paging(page, per_page)}";
        var response = await client.GetAsync(url, GitHubJson.Default.ListGitHubFile, $"files of #{pull_number} in {repo}", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.Count} files on this page:");
        var files = RepositoryTools.AppendFiles(text, response.Value, max_patch_lines ?? 0);
        var shown = text.Finish(ToolText.More(response.HasNextPage, page, "files"));
        return TypedResults.Create(shown, new FileList(files, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.FileList);
    }

    [McpServerTool(Name = "get_pull_request_reviews", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(ReviewList))]
    [Description("Reviews: reviewer, verdict, body.")]
    public async Task<CallToolResult> GetPullRequestReviews(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("PR number")] int pull_number,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var lockdown = await guard.LockdownAsync(repo, cancellationToken);
        var url = $"{PullPath(repo, pull_number)}/reviews?{GitHubGuard.Paging(page, per_page)}";
        var response = await client.GetAsync(url, GitHubJson.Default.ListGitHubReview, $"reviews of #{pull_number} in {repo}", cancellationToken);
        var text = new ToolText(budget, lockdown);
        var reviews = new List<ReviewItem>();
        foreach (var r in response.Value)
        {
            var reviewer = text.Inline(r.User?.Login);
            var body = text.Line($"{r.State} by {reviewer} at {ToolText.Date(r.SubmittedAt)} (id {r.Id}) · {r.HtmlUrl}").Shown(r.Body, r.AuthorAssociation);
            reviews.Add(new ReviewItem(r.Id, r.State, reviewer, r.SubmittedAt, body, body is null, r.HtmlUrl));
        }

        var shown = text.Finish(response.Value.Count == 0 ? "No reviews yet." : ToolText.More(response.HasNextPage, page, "reviews"));
        return TypedResults.Create(shown, new ReviewList(reviews, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.ReviewList);
    }

    [McpServerTool(Name = "create_pull_request", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Opens a pull request from head into base.")]
    public async Task<string> CreatePullRequest(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Title")] string title,
        [Description("Branch with the changes (fork: user:branch)")] string head,
        [Description("Branch to merge into")] string @base,
        [Description("Markdown")] string? body = null,
        [Description("Open as a draft")] bool? draft = null,
        [Description(IssueTools.KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/pulls";
        GitHubGuard.Ref(head, nameof(head));
        GitHubGuard.Ref(@base, "base");
        var request = new CreatePullRequestRequest(GitHubGuard.Text(title, nameof(title), 256, required: true), head, @base, body is null ? null : GitHubGuard.Text(body, nameof(body), 65_536), draft);
        var result = await client.SendOnceAsync(
            idempotency, "create_pull_request", idempotency_key, IssueTools.Fingerprint(path, title, head, @base, body, draft), context.User,
            HttpMethod.Post, path, request, GitHubJson.Default.CreatePullRequestRequest, GitHubJson.Default.GitHubPullRequest, $"a new pull request in {repo}", cancellationToken);
        var replay = ToolText.Replay(result);
        return $"Created pull request #{result.Value.Number} {head} → {@base}{replay} · {result.Value.HtmlUrl}\n";
    }

    [McpServerTool(Name = "merge_pull_request", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = true)]
    [Description("Merges. Pass sha (the head you reviewed) so a newer push is not merged.")]
    public async Task<string> MergePullRequest(
        RequestContext<CallToolRequestParams> context,
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("PR number")] int pull_number,
        [Description("merge (default), squash or rebase")] string? merge_method = null,
        [Description("Merge commit title")] string? commit_title = null,
        [Description("Merge commit message")] string? commit_message = null,
        [Description("Head sha that must match")] string? sha = null,
        [Description(IssueTools.KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        if (merge_method is not null and not ("merge" or "squash" or "rebase"))
        {
            throw ConnectorException.InvalidArgument(nameof(merge_method), "merge, squash or rebase.");
        }

        var path = $"{PullPath(repo, pull_number)}/merge";
        var request = new MergeRequest(
            commit_title is null ? null : GitHubGuard.Text(commit_title, nameof(commit_title), 256), commit_message is null ? null : GitHubGuard.Text(commit_message, nameof(commit_message), 65_536),
            sha is null ? null : GitHubGuard.Ref(sha, nameof(sha)), merge_method);
        var result = await client.SendOnceAsync(
            idempotency, "merge_pull_request", idempotency_key, IssueTools.Fingerprint(path, merge_method, commit_title, commit_message, sha), context.User,
            HttpMethod.Put, path, request, GitHubJson.Default.MergeRequest, GitHubJson.Default.GitHubMergeResult, $"the merge of #{pull_number} in {repo}", cancellationToken);
        var replay = ToolText.Replay(result);
        return $"Merged pull request #{pull_number}{replay}: merge commit {result.Value.Sha}\n";
    }

    private static string PullPath(string repo, int number) =>
        $"{GitHubGuard.Repo(repo)}/pulls/{GitHubGuard.Number(number, "pull_number")}";

    private static PullItem PullLine(ToolText text, GitHubPullRequest pr)
    {
        var state = pr.Merged ? "merged" : pr.Draft ? $"{pr.State}, draft" : pr.State;
        var item = new PullItem(pr.Number, pr.State, pr.Draft, pr.Merged, text.Inline(pr.Title), text.Inline(pr.User?.Login), text.Inline(pr.Head.Ref), text.Inline(pr.Base.Ref), pr.UpdatedAt, pr.HtmlUrl);
        text.Line($"#{pr.Number} [{state}] {item.Title}");
        text.Line($"  by {item.Author} · {item.Head} → {item.Base} · updated {ToolText.Date(pr.UpdatedAt)} · {pr.HtmlUrl}");
        return item;
    }
}
