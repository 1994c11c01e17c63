namespace Connectors.GitHub.Tests;

/// <summary>Every tool through the real server process over stdio against the emulator, with the GitHub calls each one costs.</summary>
[Collection(GitHubCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class ToolsEndToEndTests(GitHubFixture github)
{
    private const string Owner = "octo-org";
    private const string Repo = "widgets";
    private const string Widgets = Owner + "/" + Repo;

    [Fact]
    public async Task Get_me_names_the_account_and_the_classic_token_scopes_in_one_call()
    {
        var (result, calls) = await github.CallCountingAsync("get_me");
        var text = result.Ok();
        Assert.Contains("mona (Mona Lisa)", text, StringComparison.Ordinal);
        Assert.Contains("classic personal access token with scopes: repo, read:org", text, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubFixture.Token, text, StringComparison.Ordinal);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Get_repository_shows_branch_visibility_and_counts()
    {
        var (result, calls) = await github.CallCountingAsync("get_repository", new { repo = Widgets });
        var text = result.Ok();
        TextAssert.ContainsAll(text, "octo-org/widgets (public) · https://github.com/octo-org/widgets", "default branch: main", "token can push: yes");
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Get_file_contents_reads_a_file_at_a_ref_and_lists_a_directory()
    {
        var (file, calls) = await github.CallCountingAsync("get_file_contents", new { repo = Widgets, path = "src/Size.cs", @ref = "feature/sizes" });
        Assert.Contains("public enum Size { Small, Large }", file.Ok(), StringComparison.Ordinal);
        Assert.Equal(1, calls);

        var listing = (await github.CallAsync("get_file_contents", new { repo = Widgets, path = "" })).Ok();
        Assert.Contains("[DIR] src", listing, StringComparison.Ordinal);
        Assert.Contains("[FILE] README.md", listing, StringComparison.Ordinal);

        var missing = await github.CallAsync("get_file_contents", new { repo = Widgets, path = "src/Size.cs" });
        Assert.Equal("not_found", missing.ErrorCode());
    }

    [Fact]
    public async Task A_path_with_dot_dot_is_refused_before_any_call()
    {
        var (result, calls) = await github.CallCountingAsync("get_file_contents", new { repo = Widgets, path = "../../user" });
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Equal(0, calls);
    }

    [Theory]
    [InlineData("widgets")]
    [InlineData("octo-org/widgets/extra")]
    [InlineData("octo-org/..")]
    [InlineData("-octo/widgets")]
    public async Task A_repo_not_in_owner_slash_name_form_is_refused_before_any_call(string repo)
    {
        var (result, calls) = await github.CallCountingAsync("get_repository", new { repo });
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Equal("repo", result.ErrorField("argument").GetString());
        Assert.Contains("owner/name", result.Text(), StringComparison.Ordinal);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task List_branches_and_commits_page_with_a_more_notice()
    {
        var branches = (await github.CallAsync("list_branches", new { repo = Widgets })).Ok();
        Assert.Contains("feature/sizes", branches, StringComparison.Ordinal);
        Assert.Contains("main", branches, StringComparison.Ordinal);

        var (first, calls) = await github.CallCountingAsync("list_commits", new { repo = Widgets, sha = "feature/sizes", per_page = 1 });
        var text = first.Ok();
        Assert.Contains("hubot: Add sizes", text, StringComparison.Ordinal);
        Assert.Contains("More commits exist: call again with page=2.", text, StringComparison.Ordinal);
        Assert.Equal(1, calls);

        var last = (await github.CallAsync("list_commits", new { repo = Widgets, sha = "feature/sizes", per_page = 1, page = 3 })).Ok();
        Assert.Contains("Initial commit", last, StringComparison.Ordinal);
        Assert.DoesNotContain("More commits exist", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_commit_shows_the_message_and_cut_patches()
    {
        var sha = github.Emulator.State.FindRepository(Owner, Repo)!.History("main").First(c => c.Message.StartsWith("Add widget colour", StringComparison.Ordinal)).Sha;
        var (result, calls) = await github.CallCountingAsync("get_commit", new { repo = Widgets, sha, max_patch_lines = 3 });
        var text = result.Ok();
        TextAssert.ContainsAll(text, "Colours make widgets nicer.", "modified src/Widget.cs (+1 -0)", "[patch cut:");
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Search_code_and_repositories_use_github_search()
    {
        var code = (await github.CallAsync("search_code", new { query = "Colour repo:octo-org/widgets" })).Ok();
        Assert.Contains("1 files match.", code, StringComparison.Ordinal);
        Assert.Contains("octo-org/widgets/src/Widget.cs", code, StringComparison.Ordinal);

        var repos = (await github.CallAsync("search_repositories", new { query = "widgets" })).Ok();
        Assert.Contains("octo-org/widgets · 42 stars", repos, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_issues_marks_pull_requests_and_filters_by_label()
    {
        var all = (await github.CallAsync("list_issues", new { repo = Widgets })).Ok();
        Assert.Contains("#4 [PR] [open] Add sizes", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Old idea", all, StringComparison.Ordinal);

        var bugs = (await github.CallAsync("list_issues", new { repo = Widgets, labels = new[] { "bug" }, state = "all" })).Ok();
        Assert.Contains("#1 [open] Widgets crash on start", bugs, StringComparison.Ordinal);
        Assert.DoesNotContain("Document sizes", bugs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_issue_shows_body_and_comments_and_pages_them()
    {
        var (result, calls) = await github.CallCountingAsync("get_issue", new { repo = Widgets, issue_number = 1 });
        var text = result.Ok();
        TextAssert.ContainsAll(text, "Steps:", "I can reproduce this.", "assignees: mona");
        Assert.Equal(2, calls); // the issue and its first page of comments

        var (quiet, quietCalls) = await github.CallCountingAsync("get_issue", new { repo = Widgets, issue_number = 2 });
        Assert.Contains("Please document sizes.", quiet.Ok(), StringComparison.Ordinal);
        Assert.Equal(1, quietCalls); // no comments: no comments request
    }

    [Fact]
    public async Task Search_issues_names_the_repository_of_each_hit()
    {
        var text = (await github.CallAsync("search_issues", new { query = "crash is:issue repo:octo-org/widgets" })).Ok();
        Assert.Contains("octo-org/widgets#1 [open] Widgets crash on start", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_update_and_comment_on_an_issue()
    {
        var (created, calls) = await github.CallCountingAsync("create_issue", new { repo = Widgets, title = "Created by the agent", body = "details", labels = new[] { "triage" } });
        var createdText = created.Ok();
        Assert.Equal(1, calls);
        var number = int.Parse(createdText.Split('#')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var issue = github.Emulator.State.FindRepository(Owner, Repo)!.Issues.Single(i => i.Number == number);
        Assert.Equal("Created by the agent", issue.Title);
        Assert.Equal(["triage"], issue.Labels);

        var updated = (await github.CallAsync("update_issue", new { repo = Widgets, issue_number = number, state = "closed", state_reason = "not_planned" })).Ok();
        Assert.Contains($"Updated issue #{number} [closed]", updated, StringComparison.Ordinal);
        Assert.Equal("closed", issue.State);
        Assert.Equal("not_planned", issue.StateReason);
        Assert.Equal("Created by the agent", issue.Title);

        var reopened = (await github.CallAsync("update_issue", new { repo = Widgets, issue_number = number, state = "open", state_reason = "reopened" })).Ok();
        Assert.Contains($"Updated issue #{number} [open]", reopened, StringComparison.Ordinal);
        Assert.Equal(("open", "reopened"), (issue.State, issue.StateReason));

        var comment = (await github.CallAsync("add_issue_comment", new { repo = Widgets, issue_number = number, body = "Closing: out of scope." })).Ok();
        Assert.Contains($"Commented on #{number}", comment, StringComparison.Ordinal);
        Assert.Equal("Closing: out of scope.", issue.Comments.Single().Body);
    }

    [Fact]
    public async Task Pull_request_reads_cost_one_call_each()
    {
        var (list, listCalls) = await github.CallCountingAsync("list_pull_requests", new { repo = Widgets });
        Assert.Contains("#4 [open] Add sizes", list.Ok(), StringComparison.Ordinal);
        Assert.Equal(1, listCalls);

        var (pull, pullCalls) = await github.CallCountingAsync("get_pull_request", new { repo = Widgets, pull_number = 4 });
        var pullText = pull.Ok();
        TextAssert.ContainsAll(pullText, "octo-org:feature/sizes", "mergeable: yes", "Adds sizes.");
        Assert.Equal(1, pullCalls);

        var (diff, diffCalls) = await github.CallCountingAsync("get_pull_request_diff", new { repo = Widgets, pull_number = 4 });
        var diffText = diff.Ok();
        Assert.Contains("diff --git a/src/Size.cs b/src/Size.cs", diffText, StringComparison.Ordinal);
        Assert.Contains("+public enum Size { Small, Large }", diffText, StringComparison.Ordinal);
        Assert.Equal(1, diffCalls);

        var filtered = (await github.CallAsync("get_pull_request_diff", new { repo = Widgets, pull_number = 4, file = "README" })).Ok();
        Assert.Contains("No changes match.", filtered, StringComparison.Ordinal);

        var files = (await github.CallAsync("get_pull_request_files", new { repo = Widgets, pull_number = 4, max_patch_lines = 5 })).Ok();
        Assert.Contains("added src/Size.cs (+3 -0)", files, StringComparison.Ordinal);

        var reviews = (await github.CallAsync("get_pull_request_reviews", new { repo = Widgets, pull_number = 4 })).Ok();
        Assert.Contains("APPROVED by mona", reviews, StringComparison.Ordinal);
        Assert.Contains("Looks good.", reviews, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_and_merge_a_pull_request_with_a_head_sha_guard()
    {
        var repo = github.Emulator.State.FindRepository(Owner, Repo)!;
        lock (github.Emulator.State.Gate)
        {
            repo.Branches["feature/merge-me"] = repo.Branches["main"];
            repo.AddCommit(github.Emulator.State, "feature/merge-me", "mona", "Add notes", new() { ["NOTES.md"] = "notes\n" });
        }

        var created = (await github.CallAsync("create_pull_request", new { repo = Widgets, title = "Notes", head = "feature/merge-me", @base = "main" })).Ok();
        var number = int.Parse(created.Split('#')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

        var stale = await github.CallAsync("merge_pull_request", new { repo = Widgets, pull_number = number, sha = new string('0', 40) });
        Assert.Equal("conflict", stale.ErrorCode());
        Assert.Contains("Head branch was modified", stale.Text(), StringComparison.Ordinal);

        var (merged, calls) = await github.CallCountingAsync("merge_pull_request", new { repo = Widgets, pull_number = number, merge_method = "squash", sha = repo.Branches["feature/merge-me"] });
        Assert.Contains($"Merged pull request #{number}", merged.Ok(), StringComparison.Ordinal);
        Assert.Equal(1, calls);
        Assert.True(repo.Pulls.Single(p => p.Number == number).Merged);
        Assert.True(repo.Resolve("main")!.Tree.ContainsKey("NOTES.md"));

        var again = await github.CallAsync("merge_pull_request", new { repo = Widgets, pull_number = number });
        Assert.Equal("conflict", again.ErrorCode());
    }

    [Fact]
    public async Task Workflow_runs_jobs_and_the_tail_of_failed_job_logs()
    {
        var runs = (await github.CallAsync("list_workflow_runs", new { repo = Widgets, status = "failure" })).Ok();
        Assert.Contains("CI #7", runs, StringComparison.Ordinal);
        Assert.DoesNotContain("CI #8", runs, StringComparison.Ordinal);

        var run = github.Emulator.State.FindRepository(Owner, Repo)!.Runs.Single(r => r.RunNumber == 7);
        var (detail, detailCalls) = await github.CallCountingAsync("get_workflow_run", new { repo = Widgets, run_id = run.Id });
        var detailText = detail.Ok();
        Assert.Contains($"test (job id {run.Jobs[1].Id}): failure", detailText, StringComparison.Ordinal);
        Assert.Equal(2, detailCalls); // the run and its jobs

        var logs = (await github.CallAsync("get_job_logs", new { repo = Widgets, run_id = run.Id, failed_only = true, tail_lines = 5 })).Ok();
        Assert.Contains("== test (job", logs, StringComparison.Ordinal);
        Assert.Contains("Error: WidgetTests.Colour failed", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("build ok", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("test line 196\n", logs, StringComparison.Ordinal);
        Assert.Contains("test line 197\n", logs, StringComparison.Ordinal);

        var one = (await github.CallAsync("get_job_logs", new { repo = Widgets, job_id = run.Jobs[0].Id })).Ok();
        Assert.Contains("build ok", one, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompts_and_the_file_resource_template_work()
    {
        var prompts = await github.Client.ListPromptsAsync();
        Assert.Equal(["review_pull_request", "triage_issue"], prompts.Select(p => p.Name).Order(StringComparer.Ordinal));
        var triage = await github.Client.GetPromptAsync("triage_issue", new Dictionary<string, object?> { ["repo"] = Widgets, ["issue_number"] = 1 });
        Assert.Contains("get_issue (repo=octo-org/widgets, issue_number=1)", ((ModelContextProtocol.Protocol.TextContentBlock)triage.Messages[0].Content).Text, StringComparison.Ordinal);

        var resource = await github.Client.ReadResourceAsync("github://octo-org/widgets/docs/guide.md");
        Assert.Contains("Use widgets wisely.", ((ModelContextProtocol.Protocol.TextResourceContents)resource.Contents[0]).Text, StringComparison.Ordinal);
    }
}
