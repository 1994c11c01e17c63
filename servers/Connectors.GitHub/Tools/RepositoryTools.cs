using System.Text;
using System.Text.Json;
using Connectors.GitHub.Api;

namespace Connectors.GitHub.Tools;

/// <summary>Repositories: metadata, files, branches, commits, code and repository search.</summary>
[McpServerToolType]
internal sealed class RepositoryTools(GitHubClient client, OutputBudget budget)
{
    private const int DefaultPatchLines = 60;

    [McpServerTool(Name = "get_repository", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(RepositoryItem))]
    [Description("Repository metadata and default branch.")]
    public async Task<CallToolResult> GetRepository(
        [Description(GitHubGuard.RepoDescription)] string repo,
        CancellationToken cancellationToken = default)
    {
        var path = GitHubGuard.Repo(repo);
        var r = (await client.GetAsync(path, GitHubJson.Default.GitHubRepository, $"repository {repo}", cancellationToken)).Value;
        var text = new ToolText(budget);
        text.Line($"{r.FullName} ({(r.Private ? "private" : r.Visibility ?? "public")}{(r.Archived ? ", archived" : "")}) · {r.HtmlUrl}");
        var item = Repository(text, r);
        if (item.Description is { Length: > 0 })
        {
            text.Line(item.Description);
        }

        text.Line($"default branch: {r.DefaultBranch} · language: {r.Language ?? "-"} · {r.StargazersCount} stars · {r.ForksCount} forks · {r.OpenIssuesCount} open issues and pull requests");
        if (item.Topics.Count > 0)
        {
            text.Line($"topics: {string.Join(", ", item.Topics)}");
        }

        text.Line($"last push: {ToolText.Date(r.PushedAt)}{(r.Permissions is { } p ? $" · token can push: {(p.Push ? "yes" : "no")}" : "")}");
        return TypedResults.Create(text.Finish(), item, GitHubResultsJson.Default.RepositoryItem);
    }

    [McpServerTool(Name = "get_file_contents", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("A file (long ones cut, binary described) or a directory listing.")]
    public async Task<string> GetFileContents(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Path; empty for the root")] string path = "",
        [Description("Branch, tag or sha (default: default branch)")] string? @ref = null,
        CancellationToken cancellationToken = default)
    {
        var url = $"{GitHubGuard.Repo(repo)}/contents/{GitHubGuard.FilePath(path)}{(@ref is null ? "" : "?ref=" + GitHubGuard.Ref(@ref))}";
        var what = $"'{path}' in {repo}";
        var text = new ToolText(budget);
        var listing = await ContentsAsync(url, what, cancellationToken);
        if (listing.Directory is { } entries)
        {
            text.Line($"{repo}/{path.Trim('/')} ({entries.Count} entries{(@ref is null ? "" : $" at {@ref}")}):");
            foreach (var e in entries)
            {
                text.Line($"[{(e.Type == "dir" ? "DIR" : "FILE")}] {text.Inline(e.Name)}{(e.Type == "file" ? $" ({e.Size:N0} bytes)" : "")}");
            }

            return text.Finish();
        }

        var file = listing.File!;
        if (file.Encoding != "base64" || file.Content is null)
        {
            return text.Line($"{file.Path}: {file.Size:N0} bytes, too large for the contents API; open {file.HtmlUrl}").Finish();
        }

        var bytes = Convert.FromBase64String(file.Content.Replace("\n", "", StringComparison.Ordinal));
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
        {
            return text.Line($"{file.Path}: binary file, {file.Size:N0} bytes · {file.HtmlUrl}").Finish();
        }

        text.Line($"{file.Path} ({file.Size:N0} bytes) · {file.HtmlUrl}").Line("---");
        text.Line(text.Plain(Encoding.UTF8.GetString(bytes)).TrimEnd('\n'));
        return text.Finish(howToContinue: $"The file is longer than this server's output budget; read the rest at {file.HtmlUrl}.");
    }

    [McpServerTool(Name = "list_branches", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(BranchList))]
    [Description("Branches and their head commits.")]
    public async Task<CallToolResult> ListBranches(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var response = await client.GetAsync($"{GitHubGuard.Repo(repo)}/branches?{GitHubGuard.Paging(page, per_page)}", GitHubJson.Default.ListGitHubBranch, $"branches of {repo}", cancellationToken);
        var text = new ToolText(budget);
        var branches = new List<BranchItem>();
        foreach (var b in response.Value)
        {
            branches.Add(new BranchItem(text.Inline(b.Name), b.Commit.Sha, b.Protected));
            text.Line($"{branches[^1].Name} {b.Commit.Sha[..Math.Min(12, b.Commit.Sha.Length)]}{(b.Protected ? " (protected)" : "")}");
        }

        var shown = text.Finish(response.Value.Count == 0 ? "No branches on this page." : ToolText.More(response.HasNextPage, page, "branches"));
        return TypedResults.Create(shown, new BranchList(branches, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.BranchList);
    }

    [McpServerTool(Name = "list_commits", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(CommitList))]
    [Description("Commits, newest first.")]
    public async Task<CallToolResult> ListCommits(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Branch or sha to start from")] string? sha = null,
        [Description("Only commits touching this path")] string? path = null,
        [Description("Only commits by this login or email")] string? author = null,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder(GitHubGuard.Paging(page, per_page));
        if (sha is not null)
        {
            query.Append("&sha=").Append(GitHubGuard.Ref(sha, nameof(sha)));
        }

        if (path is not null)
        {
            query.Append("&path=").Append(GitHubGuard.FilePath(path));
        }

        if (author is not null)
        {
            query.Append("&author=").Append(Uri.EscapeDataString(GitHubGuard.Text(author, nameof(author), 100, required: true)));
        }

        var response = await client.GetAsync($"{GitHubGuard.Repo(repo)}/commits?{query}", GitHubJson.Default.ListGitHubCommit, $"commits of {repo}", cancellationToken);
        var text = new ToolText(budget);
        var commits = new List<CommitItem>();
        foreach (var c in response.Value)
        {
            var item = new CommitItem(c.Sha, text.Inline(c.Author?.Login ?? c.Commit.Author?.Name), c.Commit.Author?.Date, text.Inline(c.Commit.Message.Split('\n')[0]));
            commits.Add(item);
            text.Line($"{c.Sha[..12]} {ToolText.Date(item.Date)} {item.Author}: {item.Title}");
        }

        var shown = text.Finish(response.Value.Count == 0 ? "No commits match." : ToolText.More(response.HasNextPage, page, "commits"));
        return TypedResults.Create(shown, new CommitList(commits, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.CommitList);
    }

    [McpServerTool(Name = "get_commit", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(CommitResult))]
    [Description("A commit with its changed files and patches.")]
    public async Task<CallToolResult> GetCommit(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Sha, branch or tag")] string sha,
        [Description("Patch lines per file (default 60; 0: none)")] int? max_patch_lines = null,
        CancellationToken cancellationToken = default)
    {
        if (max_patch_lines is < 0 or > 10_000)
        {
            throw ConnectorException.InvalidArgument(nameof(max_patch_lines), "from 0 to 10000.");
        }

        var url = $"{GitHubGuard.Repo(repo)}/commits/{GitHubGuard.Ref(sha, nameof(sha))}";
        var c = (await client.GetAsync(url, GitHubJson.Default.GitHubCommit, $"commit {sha} of {repo}", cancellationToken)).Value;
        var text = new ToolText(budget);
        var author = text.Inline(c.Author?.Login ?? c.Commit.Author?.Name);
        text.Line($"{c.Sha} by {author} at {ToolText.Date(c.Commit.Author?.Date)} · {c.HtmlUrl}");
        if (c.Stats is { } stats)
        {
            text.Line($"+{stats.Additions} -{stats.Deletions} in {c.Files?.Count ?? 0} files");
        }

        var message = text.Shown(c.Commit.Message, null);
        var files = AppendFiles(text, c.Files ?? [], max_patch_lines ?? DefaultPatchLines);
        var shown = text.Finish(howToContinue: "Lower max_patch_lines (0 hides patches) to see every file.");
        var value = new CommitResult(c.Sha, author, c.Commit.Author?.Date, c.HtmlUrl, message, c.Stats?.Additions, c.Stats?.Deletions, files, text.Cut);
        return TypedResults.Create(shown, value, GitHubResultsJson.Default.CommitResult);
    }

    [McpServerTool(Name = "search_code", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(CodeHitList))]
    [Description("Code search, e.g. Widget language:csharp. Low rate limit.")]
    public async Task<CallToolResult> SearchCode(
        [Description("Query with qualifiers")] string query,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var q = Uri.EscapeDataString(GitHubGuard.Text(query, nameof(query), 256, required: true));
        var response = await client.GetAsync($"search/code?q={q}&{GitHubGuard.Paging(page, per_page)}", GitHubJson.Default.GitHubSearchGitHubCodeHit, "code search results", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.TotalCount:N0} files match{(response.Value.IncompleteResults ? " (GitHub's results are incomplete)" : "")}.");
        var hits = new List<CodeHit>();
        foreach (var hit in response.Value.Items)
        {
            hits.Add(new CodeHit(hit.Repository.FullName, text.Inline(hit.Path), hit.HtmlUrl));
            text.Line($"{hit.Repository.FullName}/{hits[^1].Path} · {hit.HtmlUrl}");
        }

        var shown = text.Finish(ToolText.More(response.HasNextPage, page));
        var value = new CodeHitList(hits, response.Value.TotalCount, response.Value.IncompleteResults, ToolText.NextPage(response.HasNextPage, page), text.Cut);
        return TypedResults.Create(shown, value, GitHubResultsJson.Default.CodeHitList);
    }

    [McpServerTool(Name = "search_repositories", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(RepositoryList))]
    [Description("Repository search, e.g. widgets org:octo-org.")]
    public async Task<CallToolResult> SearchRepositories(
        [Description("Query with qualifiers")] string query,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var q = Uri.EscapeDataString(GitHubGuard.Text(query, nameof(query), 256, required: true));
        var response = await client.GetAsync($"search/repositories?q={q}&{GitHubGuard.Paging(page, per_page)}", GitHubJson.Default.GitHubSearchGitHubRepository, "repository search results", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.TotalCount:N0} repositories match.");
        var repositories = new List<RepositoryItem>();
        foreach (var r in response.Value.Items)
        {
            repositories.Add(Repository(text, r));
            text.Line($"{r.FullName}{(r.Private ? " (private)" : "")} · {r.StargazersCount} stars · {r.Language ?? "-"} · {repositories[^1].Description}");
        }

        var shown = text.Finish(ToolText.More(response.HasNextPage, page));
        var value = new RepositoryList(repositories, response.Value.TotalCount, response.Value.IncompleteResults, ToolText.NextPage(response.HasNextPage, page), text.Cut);
        return TypedResults.Create(shown, value, GitHubResultsJson.Default.RepositoryList);
    }

    /// <summary>A repository as the results carry it, its free text sanitized once for both forms.</summary>
    private static RepositoryItem Repository(ToolText text, GitHubRepository r) => new(
        r.FullName, r.Private, r.Visibility, r.Archived, r.HtmlUrl, r.Description is null ? null : text.Inline(r.Description), r.DefaultBranch, r.Language,
        r.StargazersCount, r.ForksCount, r.OpenIssuesCount, [.. (r.Topics ?? []).Select(t => text.Inline(t))], r.PushedAt, r.Permissions?.Push);

    /// <summary>Writes each file with its patch (cut to <paramref name="maxPatchLines"/>) and returns the files as the results carry them.</summary>
    internal static List<ChangedFile> AppendFiles(ToolText text, IReadOnlyList<GitHubFile> files, int maxPatchLines)
    {
        var changed = new List<ChangedFile>();
        foreach (var f in files)
        {
            changed.Add(new ChangedFile(text.Inline(f.Filename), f.Status, f.Additions, f.Deletions));
            text.Line().Line($"{f.Status} {changed[^1].Path} (+{f.Additions} -{f.Deletions})");
            if (maxPatchLines == 0 || f.Patch is null)
            {
                continue;
            }

            var lines = text.Plain(f.Patch).Split('\n');
            foreach (var line in lines.Take(maxPatchLines))
            {
                text.Line(line);
            }

            if (lines.Length > maxPatchLines)
            {
                text.Line($"[patch cut: {lines.Length - maxPatchLines} more lines; raise max_patch_lines]");
            }
        }

        return changed;
    }

    private async Task<(GitHubContent? File, List<GitHubContent>? Directory)> ContentsAsync(string url, string what, CancellationToken cancellationToken)
    {
        // The contents API answers an object for a file and an array for a directory; one request either way.
        var raw = await client.GetAsync(url, GitHubJson.Default.JsonElement, what, cancellationToken);
        return raw.Value.ValueKind == System.Text.Json.JsonValueKind.Array
            ? (null, raw.Value.Deserialize(GitHubJson.Default.ListGitHubContent))
            : (raw.Value.Deserialize(GitHubJson.Default.GitHubContent), null);
    }
}
