namespace Connectors.GitHub.Tests;

/// <summary>Completions offer the repositories the response cache already holds, and never ask GitHub.</summary>
public sealed class CompletionTests
{
    private static readonly ResourceTemplateReference FileTemplate = new() { Uri = "github://{owner}/{repo}/{+path}" };
    private static readonly PromptReference Triage = new() { Name = "triage_issue" };

    private static async Task<Completion> CompleteAsync(Isolated github, Reference reference, string argument, string value, Dictionary<string, string>? known = null) =>
        (await github.Mcp.Client.CompleteAsync(new CompleteRequestParams
        {
            Ref = reference,
            Argument = new Argument { Name = argument, Value = value },
            Context = known is null ? null : new CompleteContext { Arguments = known },
        })).Completion;

    [Fact]
    public async Task Repositories_already_read_complete_without_a_request_to_github()
    {
        await using var github = await Isolated.StartAsync();
        Assert.Empty((await CompleteAsync(github, Triage, "repo", "octo")).Values);
        Assert.Empty(github.Emulator.Requests);

        await github.CallAsync("get_repository", new { repo = "octo-org/widgets" });
        await github.CallAsync("get_repository", new { repo = "octo-org/secret-plans" });
        var before = github.Emulator.Requests.Count;

        Assert.Equal(["octo-org/secret-plans", "octo-org/widgets"], (await CompleteAsync(github, Triage, "repo", "OCTO-org/")).Values.Order(StringComparer.Ordinal));
        Assert.Equal(["octo-org/widgets"], (await CompleteAsync(github, new PromptReference { Name = "review_pull_request" }, "repo", "octo-org/w")).Values);
        Assert.Equal(["octo-org"], (await CompleteAsync(github, FileTemplate, "owner", "oc")).Values);
        Assert.Equal(["widgets"], (await CompleteAsync(github, FileTemplate, "repo", "w", new() { ["owner"] = "octo-org" })).Values);
        Assert.Empty((await CompleteAsync(github, FileTemplate, "repo", "w", new() { ["owner"] = "someone-else" })).Values);
        Assert.Equal(before, github.Emulator.Requests.Count);
    }

    [Fact]
    public async Task Unknown_references_paths_numbers_and_huge_values_have_no_suggestions()
    {
        await using var github = await Isolated.StartAsync();
        await github.CallAsync("get_repository", new { repo = "octo-org/widgets" });

        Assert.Empty((await CompleteAsync(github, new PromptReference { Name = "test_prompt_with_arguments" }, "arg1", "test")).Values);
        Assert.Empty((await CompleteAsync(github, FileTemplate, "path", "src/")).Values);
        Assert.Empty((await CompleteAsync(github, Triage, "issue_number", "1")).Values);
        Assert.Empty((await CompleteAsync(github, Triage, "repo", new string('o', 50_000))).Values);
        Assert.NotNull(github.Mcp.Client.ServerCapabilities.Completions);
    }
}
