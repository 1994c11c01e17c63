using static Connectors.Testing.ToolSweep;

namespace Connectors.GitHub.Tests;

/// <summary>
/// Every tool of the GitHub server (all toolsets) called over stdio, over HTTP with an API key and over HTTP with a JWT against its own
/// emulator, with the prompts, the file resource, the argument guards, and doctor/healthcheck: what eng/test.sh runs
/// again against the published Native AOT server.
/// </summary>
[Trait("Category", "ServerProcess")]
public sealed class EveryToolTests : IAsyncLifetime
{
    private const string Project = "Connectors.GitHub";
    private const string Widgets = "octo-org/widgets";
    private GitHubEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await GitHubEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private string[] Args => ["--api-url", _emulator.Url.ToString(), "--toolsets", "all"];

    private static Dictionary<string, string> Environment => new() { ["GITHUB_TOKEN"] = GitHubFixture.Token };

    private static Dictionary<string, object?> A(params (string Name, object? Value)[] arguments) => arguments.ToDictionary(a => a.Name, a => a.Value);

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Every_tool_answers(string transport)
    {
        var calls = PrepareEveryCall();
        await using var server = await ConnectedServer.StartAsync(transport, Project, Args, Environment);

        await CallEveryToolAsync(server.Client, calls);

        var triage = await server.Client.GetPromptAsync("triage_issue", new Dictionary<string, object?> { ["repo"] = Widgets, ["issue_number"] = 1 });
        Assert.Contains("get_issue (repo=octo-org/widgets, issue_number=1)", Assert.IsType<TextContentBlock>(triage.Messages[0].Content).Text, StringComparison.Ordinal);
        var review = await server.Client.GetPromptAsync("review_pull_request", new Dictionary<string, object?> { ["repo"] = Widgets, ["pull_number"] = 4 });
        Assert.NotEmpty(review.Messages);
        var resource = await server.Client.ReadResourceAsync("github://octo-org/widgets/docs/guide.md");
        Assert.Contains("Use widgets wisely.", Assert.IsType<TextResourceContents>(resource.Contents[0]).Text, StringComparison.Ordinal);
    }

    /// <summary>Each tool once (all toolsets), with what its answer must contain; sets up the branch the merge takes.</summary>
    private List<Call> PrepareEveryCall()
    {
        var repo = _emulator.State.FindRepository("octo-org", "widgets")!;
        var commit = repo.History("main").First(c => c.Message.StartsWith("Add widget colour", StringComparison.Ordinal)).Sha;
        var run = repo.Runs.Single(r => r.RunNumber == 7);
        lock (_emulator.State.Gate)
        {
            repo.Branches["feature/merge-me"] = repo.Branches["main"];
            repo.AddCommit(_emulator.State, "feature/merge-me", "mona", "Add notes", new() { ["NOTES.md"] = "notes\n" });
        }

        var nextNumber = repo.Issues.Select(i => i.Number).Concat(repo.Pulls.Select(p => p.Number)).Max() + 1;
        return
        [
            new("get_me", A(), "mona (Mona Lisa)"),
            new("get_repository", A(("repo", Widgets)), "default branch: main"),
            new("get_file_contents", A(("repo", Widgets), ("path", "src/Size.cs"), ("ref", "feature/sizes")), "public enum Size"),
            new("list_branches", A(("repo", Widgets)), "feature/sizes"),
            new("list_commits", A(("repo", Widgets), ("sha", "feature/sizes"), ("per_page", 1)), "hubot: Add sizes"),
            new("get_commit", A(("repo", Widgets), ("sha", commit), ("max_patch_lines", 3)), "Colours make widgets nicer."),
            new("search_code", A(("query", "Colour repo:octo-org/widgets")), "octo-org/widgets/src/Widget.cs"),
            new("search_repositories", A(("query", "widgets")), "octo-org/widgets"),
            new("list_issues", A(("repo", Widgets), ("labels", new[] { "bug" }), ("state", "all")), "#1 [open] Widgets crash on start"),
            new("get_issue", A(("repo", Widgets), ("issue_number", 1)), "I can reproduce this."),
            new("search_issues", A(("query", "crash is:issue repo:octo-org/widgets")), "Widgets crash on start"),
            new("create_issue", A(("repo", Widgets), ("title", "Swept"), ("labels", new[] { "triage" })), $"#{nextNumber}"),
            new("update_issue", A(("repo", Widgets), ("issue_number", nextNumber), ("state", "closed"), ("state_reason", "not_planned")), "[closed]"),
            new("add_issue_comment", A(("repo", Widgets), ("issue_number", nextNumber), ("body", "Closing.")), $"Commented on #{nextNumber}"),
            new("list_pull_requests", A(("repo", Widgets)), "#4 [open] Add sizes"),
            new("get_pull_request", A(("repo", Widgets), ("pull_number", 4)), "mergeable: yes"),
            new("get_pull_request_diff", A(("repo", Widgets), ("pull_number", 4)), "+public enum Size { Small, Large }"),
            new("get_pull_request_files", A(("repo", Widgets), ("pull_number", 4), ("max_patch_lines", 5)), "added src/Size.cs"),
            new("get_pull_request_reviews", A(("repo", Widgets), ("pull_number", 4)), "APPROVED by mona"),
            new("create_pull_request", A(("repo", Widgets), ("title", "Notes"), ("head", "feature/merge-me"), ("base", "main")), $"#{nextNumber + 1}"),
            new("merge_pull_request", A(("repo", Widgets), ("pull_number", nextNumber + 1), ("merge_method", "squash")), $"Merged pull request #{nextNumber + 1}"),
            new("list_workflow_runs", A(("repo", Widgets), ("status", "failure")), "CI #7"),
            new("get_workflow_run", A(("repo", Widgets), ("run_id", run.Id)), $"test (job id {run.Jobs[1].Id}): failure"),
            new("get_job_logs", A(("repo", Widgets), ("run_id", run.Id), ("failed_only", true), ("tail_lines", 5)), "Error: WidgetTests.Colour failed"),
        ];
    }

    [Fact]
    public async Task The_typescript_client_validates_every_typed_answer_against_its_output_schema()
    {
        var typed = await CallEveryToolWithTypeScriptClientAsync(Project, Args, Environment, PrepareEveryCall(),
        [
            new("get_issue", A(("repo", Widgets), ("issue_number", 9999)), "not_found"),
            new("get_repository", A(("repo", "-octo/widgets")), "invalid_argument"),
        ]);

        Assert.Equal(
            ["get_commit", "get_issue", "get_me", "get_pull_request", "get_pull_request_files", "get_pull_request_reviews", "get_repository", "get_workflow_run",
                "list_branches", "list_commits", "list_issues", "list_pull_requests", "list_workflow_runs", "search_code", "search_issues", "search_repositories"],
            typed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Bad_arguments_are_refused_before_any_github_call(string transport)
    {
        await using var server = await ConnectedServer.StartAsync(transport, Project, Args, Environment);
        var before = _emulator.RequestsServed;

        await RefusedAsync(server.Client, "get_file_contents", A(("repo", Widgets), ("path", "../../user")), "invalid_argument");
        await RefusedAsync(server.Client, "get_repository", A(("repo", "octo-org/..")), "invalid_argument");
        await RefusedAsync(server.Client, "get_repository", A(("repo", "-octo/widgets")), "invalid_argument");
        Assert.Equal(before, _emulator.RequestsServed);

        await RefusedAsync(server.Client, "get_issue", A(("repo", Widgets), ("issue_number", 9999)), "not_found");
    }

    [Fact]
    public async Task Doctor_passes_and_healthcheck_probes_the_running_server()
    {
        var (doctorExit, doctor, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", .. Args], Environment);
        Assert.True(doctorExit == 0, doctor);
        Assert.Contains("signed in as mona", doctor, StringComparison.Ordinal);

        var (badExit, bad, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", .. Args], new Dictionary<string, string> { ["GITHUB_TOKEN"] = "ghp_not_valid" });
        Assert.Equal(1, badExit);
        Assert.DoesNotContain("ghp_not_valid", bad, StringComparison.Ordinal);

        await using var server = await ServerProcess.StartHttpAsync(Project, Args, Environment);
        var (healthExit, _, healthErr) = await ServerProcess.RunToExitAsync(Project, ["healthcheck", "--url", new Uri(server.BaseUrl, "/healthz").ToString()]);
        Assert.True(healthExit == 0, healthErr);
    }
}
