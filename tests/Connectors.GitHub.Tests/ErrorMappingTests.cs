namespace Connectors.GitHub.Tests;

/// <summary>Each way GitHub says no, and each way it fails, mapped to its stable tool error.</summary>
public sealed class ErrorMappingTests
{
    private static readonly object Issue1 = new { repo = "octo-org/widgets", issue_number = 1 };

    [Fact]
    public async Task A_bad_token_is_unauthenticated_and_never_echoed()
    {
        await using var github = await Isolated.StartAsync(token: "ghp_revoked_token_value");
        var result = await github.CallAsync("get_me");
        Assert.Equal("unauthenticated", result.ErrorCode());
        Assert.Contains("Bad credentials", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_revoked_token_value", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_revoked_token_value", github.Mcp.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_the_token_may_not_make_is_permission_denied_naming_the_permission()
    {
        await using var github = await Isolated.StartAsync(token: "github_pat_public");
        var result = await github.CallAsync("add_issue_comment", new { repo = "octo-org/widgets", issue_number = 1, body = "hi" });
        Assert.Equal("permission_denied", result.ErrorCode());
        Assert.Contains("Resource not accessible by personal access token", result.Text(), StringComparison.Ordinal);
        Assert.Contains("issues=write", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_repository_the_token_cannot_see_is_not_found_with_the_hint()
    {
        await using var github = await Isolated.StartAsync(token: "github_pat_public");
        var result = await github.CallAsync("get_repository", new { repo = "octo-org/secret-plans" });
        Assert.Equal("not_found", result.ErrorCode());
        Assert.Contains("private repositories the token cannot see", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validation_failure_is_invalid_argument_with_githubs_words()
    {
        await using var github = await Isolated.StartAsync();
        var result = await github.CallAsync("create_issue", new { repo = "octo-org/widgets", title = "x", assignees = new[] { "nobody-here" } });
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Equal("assignees", result.ErrorField("argument").GetString());
        Assert.Contains("Validation Failed", result.Text(), StringComparison.Ordinal);
        Assert.Contains("assignees invalid", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exhausted_primary_limit_is_rate_limited_until_the_reset_and_the_next_call_is_not_sent()
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.RateLimits["core"].Remaining = 0;
        github.Emulator.RateLimits["core"].Reset = DateTimeOffset.UtcNow.AddSeconds(600);

        var result = await github.CallAsync("get_issue", Issue1);
        Assert.Equal("rate_limited", result.ErrorCode());
        var retryAfter = result.ErrorField("retry_after_seconds").GetInt32();
        Assert.InRange(retryAfter, 500, 601);
        Assert.Contains("'core' rate limit", result.Text(), StringComparison.Ordinal);

        var served = github.Emulator.RequestsServed;
        Assert.Equal("rate_limited", (await github.CallAsync("get_repository", new { repo = "octo-org/widgets" })).ErrorCode());
        Assert.Equal(served, github.Emulator.RequestsServed);
    }

    [Fact]
    public async Task The_search_budget_is_separate_from_the_core_budget()
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.RateLimits["search"].Remaining = 0;
        github.Emulator.RateLimits["search"].Reset = DateTimeOffset.UtcNow.AddSeconds(40);

        var search = await github.CallAsync("search_issues", new { query = "crash is:issue" });
        Assert.Equal("rate_limited", search.ErrorCode());
        Assert.Contains("'search' rate limit", search.Text(), StringComparison.Ordinal);
        Assert.Contains("mona", (await github.CallAsync("get_me")).Ok(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public async Task A_secondary_limit_is_rate_limited_with_githubs_retry_after(int status)
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.SecondaryRateLimit, Status = status, RetryAfterSeconds = 37, PathContains = "/issues" });
        var result = await github.CallAsync("list_issues", new { repo = "octo-org/widgets" });
        Assert.Equal("rate_limited", result.ErrorCode());
        Assert.Equal(37, result.ErrorField("retry_after_seconds").GetInt32());
        Assert.Contains("secondary rate limit", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_502_on_a_read_is_retried_and_the_call_succeeds()
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ServerError, Status = 502, PathContains = "/repos/octo-org/widgets/issues/1", Times = 1 });
        var result = await github.CallAsync("get_issue", new { repo = "octo-org/widgets", issue_number = 2 });
        Assert.Contains("Document sizes", result.Ok(), StringComparison.Ordinal);

        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ServerError, Status = 503, PathContains = "/repos/octo-org/widgets/issues/2", Times = 1 });
        var retried = await github.CallAsync("get_issue", new { repo = "octo-org/widgets", issue_number = 2 });
        Assert.Contains("Document sizes", retried.Ok(), StringComparison.Ordinal);
        Assert.Equal(3, github.Count("GET", "/repos/octo-org/widgets/issues/2"));
    }

    [Fact]
    public async Task A_persistent_500_is_upstream_unavailable_and_not_retried()
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ServerError, Status = 500, PathContains = "/repos/octo-org/widgets", Times = 10 });
        var result = await github.CallAsync("get_repository", new { repo = "octo-org/widgets" });
        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.Equal(1, github.Count("GET", "/repos/octo-org/widgets"));
    }

    [Fact]
    public async Task A_write_that_fails_with_502_is_sent_once_and_says_the_outcome_is_unknown()
    {
        await using var github = await Isolated.StartAsync();
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ServerError, Status = 502, Method = "POST", PathContains = "/issues", Times = 5 });
        var result = await github.CallAsync("create_issue", new { repo = "octo-org/widgets", title = "once" });
        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.Contains("may or may not have been made", result.Text(), StringComparison.Ordinal);
        Assert.Equal(1, github.Count("POST", "/repos/octo-org/widgets/issues"));

        github.Emulator.ClearFaults();
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ConnectionReset, Method = "POST", PathContains = "/comments", Times = 5 });
        var reset = await github.CallAsync("add_issue_comment", new { repo = "octo-org/widgets", issue_number = 1, body = "once" });
        Assert.Equal("upstream_unavailable", reset.ErrorCode());
        Assert.Contains("may or may not have been made", reset.Text(), StringComparison.Ordinal);
        Assert.Equal(1, github.Count("POST", "/repos/octo-org/widgets/issues/1/comments"));
    }

    [Fact]
    public async Task Malformed_json_and_connection_resets_on_reads_are_upstream_unavailable_after_retries()
    {
        await using var github = await Isolated.StartAsync(args: ["--toolsets", "all"]);
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.MalformedJson, PathContains = "/pulls", Times = 10 });
        var malformed = await github.CallAsync("list_pull_requests", new { repo = "octo-org/widgets" });
        Assert.Equal("upstream_unavailable", malformed.ErrorCode());
        Assert.Contains("not the expected JSON", malformed.Text(), StringComparison.Ordinal);
        Assert.Equal(3, github.Count("GET", "/repos/octo-org/widgets/pulls"));

        github.Emulator.ClearFaults();
        Assert.Contains("Add sizes", (await github.CallAsync("list_pull_requests", new { repo = "octo-org/widgets" })).Ok(), StringComparison.Ordinal);

        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.ConnectionReset, PathContains = "/branches", Times = 10 });
        var reset = await github.CallAsync("list_branches", new { repo = "octo-org/widgets" });
        Assert.Equal("upstream_unavailable", reset.ErrorCode());
        Assert.Contains("connection to GitHub failed", reset.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_github_ends_in_a_timeout()
    {
        await using var github = await Isolated.StartAsync(args: ["--tool-timeout", "2"]);
        github.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.Latency, Delay = TimeSpan.FromSeconds(20), PathContains = "/user" });
        var result = await github.CallAsync("get_me");
        Assert.Equal("timeout", result.ErrorCode());
    }
}
