namespace Connectors.GitHub.Tests;

/// <summary>Conditional requests and the size of the tool list: the figures the README reports come from here.</summary>
public sealed class EfficiencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Repeated_reads_are_answered_304_from_the_cache()
    {
        await using var github = await Isolated.StartAsync();
        var issue = new { repo = "octo-org/widgets", issue_number = 1 };
        Assert.Contains("Steps:", (await github.CallAsync("get_issue", issue)).Ok(), StringComparison.Ordinal);
        var before = github.Emulator.NotModifiedServed;
        var remaining = github.Emulator.RateLimits["core"].Remaining;

        Assert.Contains("Steps:", (await github.CallAsync("get_issue", issue)).Ok(), StringComparison.Ordinal);
        Assert.Equal(before + 2, github.Emulator.NotModifiedServed); // the issue and its comments
        Assert.Equal(remaining, github.Emulator.RateLimits["core"].Remaining);

        github.Emulator.State.FindRepository("octo-org", "widgets")!.Issues.Single(i => i.Number == 1).Title = "Renamed upstream";
        Assert.Contains("Renamed upstream", (await github.CallAsync("get_issue", issue)).Ok(), StringComparison.Ordinal);
    }

    /// <summary>An agent triaging and reviewing: reads, a write, and the re-reads a conversation makes.</summary>
    [Fact]
    public async Task A_realistic_session_answers_most_repeated_reads_with_304()
    {
        await using var github = await Isolated.StartAsync(args: ["--toolsets", "all"]);
        var widgets = new { repo = "octo-org/widgets" };
        var issue1 = new { repo = "octo-org/widgets", issue_number = 1 };
        var pull4 = new { repo = "octo-org/widgets", pull_number = 4 };
        var script = new List<(string Tool, object Arguments)>
        {
            ("get_me", new { }), ("list_issues", widgets), ("get_issue", issue1), ("get_repository", widgets),
            ("get_file_contents", new { repo = "octo-org/widgets", path = "src/Widget.cs" }),
            ("list_pull_requests", widgets), ("get_pull_request", pull4), ("get_pull_request_files", pull4), ("get_pull_request_diff", pull4),
            ("add_issue_comment", new { repo = "octo-org/widgets", issue_number = 1, body = "Looking into it." }),
            ("get_issue", issue1), ("list_issues", widgets), ("get_pull_request", pull4), ("get_pull_request_reviews", pull4),
            ("get_file_contents", new { repo = "octo-org/widgets", path = "src/Widget.cs" }), ("list_workflow_runs", widgets),
            ("get_repository", widgets), ("list_issues", widgets), ("get_pull_request_diff", pull4), ("list_workflow_runs", widgets),
        };
        foreach (var (tool, arguments) in script)
        {
            (await github.CallAsync(tool, arguments)).Ok();
        }

        var gets = github.Emulator.Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        var repeated = gets.Count - gets.Distinct(StringComparer.Ordinal).Count();
        var share = (double)github.Emulator.NotModifiedServed / repeated;
        output.WriteLine($"session: {script.Count} tool calls, {github.Emulator.RequestsServed} GitHub requests, {repeated} repeated GETs, {github.Emulator.NotModifiedServed} answered 304 ({share:P0})");
        Assert.True(share >= 0.5, $"{github.Emulator.NotModifiedServed} of {repeated} repeated GETs were 304");
    }

    [Fact]
    public async Task The_default_tool_list_stays_within_8_kilobytes()
    {
        await using var github = await Isolated.StartAsync();
        var tools = await github.Mcp.Client.ListToolsAsync();
        var bytes = await ToolSchemaSnapshot.ModelVisibleBytesAsync(github.Mcp.Client);
        output.WriteLine($"tools/list: {tools.Count} tools, {bytes:N0} bytes without output schemas");
        Assert.Equal(17, tools.Count); // context, repos, issues, pull_requests; explore and actions are off by default
        Assert.All(tools, t => Assert.NotNull(t.ProtocolTool.Annotations?.ReadOnlyHint));
        Assert.All(tools.SelectMany(t => t.ProtocolTool.InputSchema.GetProperty("properties").EnumerateObject()),
            p => Assert.False(string.IsNullOrWhiteSpace(p.Value.GetProperty("description").GetString()), p.Name));
        Assert.True(bytes <= 8 * 1024, $"{bytes} bytes (was 12,975 with 24 tools; the issue's budget is 8 KB)");
    }

    [Fact]
    public async Task Write_tools_leave_out_only_the_annotations_a_client_assumes()
    {
        await using var github = await Isolated.StartAsync();
        var tools = (await github.Mcp.Client.ListToolsAsync()).ToDictionary(t => t.Name, t => t.ProtocolTool.Annotations!);
        // Spec defaults when absent: destructive, not idempotent, open world.
        Assert.Equal((false, null, null, null), (tools["merge_pull_request"].ReadOnlyHint, tools["merge_pull_request"].DestructiveHint,
            tools["merge_pull_request"].IdempotentHint, tools["merge_pull_request"].OpenWorldHint));
        Assert.Equal((true, null, null, null), (tools["get_issue"].ReadOnlyHint, tools["get_issue"].DestructiveHint,
            tools["get_issue"].IdempotentHint, tools["get_issue"].OpenWorldHint));
    }

    [Fact]
    public async Task The_tool_list_matches_the_reviewed_snapshot()
    {
        await using var github = await Isolated.StartAsync(args: ["--toolsets", "all"]);
        var (expected, actual) = await ToolSchemaSnapshot.ReadAsync(github.Mcp.Client, "Connectors.GitHub.Tests");
        Assert.NotNull(expected);
        Assert.Equal(expected, actual);
    }
}
