namespace Connectors.Filesystem.Tests;

public sealed class PromptsAndCompletionsTests : InMemoryFilesystemTests
{
    private static readonly ResourceTemplateReference FileTemplate = new() { Uri = "file://{+path}" };
    private static readonly PromptReference SummarizeTree = new() { Name = "summarize_tree" };

    private static async Task<Completion> CompleteAsync(InMemoryMcp mcp, Reference reference, string argument, string value) =>
        (await mcp.Client.CompleteAsync(reference, argument, value)).Completion;

    [Fact]
    public async Task The_prompts_are_listed_with_descriptions_and_described_arguments()
    {
        await using var mcp = await StartAsync();
        var prompts = await mcp.Client.ListPromptsAsync();

        Assert.Equal(["find_definition", "review_changes", "summarize_tree"], prompts.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(prompts, p =>
        {
            Assert.False(string.IsNullOrWhiteSpace(p.Description));
            Assert.NotEmpty(p.ProtocolPrompt.Arguments!);
            Assert.All(p.ProtocolPrompt.Arguments!, a => Assert.False(string.IsNullOrWhiteSpace(a.Description), $"{p.Name}.{a.Name}"));
        });
        var find = prompts.Single(p => p.Name == "find_definition").ProtocolPrompt.Arguments!;
        Assert.True(find.Single(a => a.Name == "symbol").Required);
        Assert.False(find.Single(a => a.Name == "path").Required ?? false);
    }

    [Fact]
    public async Task Prompts_and_resource_templates_may_be_cached_by_any_client_but_the_file_list_may_not()
    {
        await using var mcp = await StartAsync();
        var prompts = await mcp.Client.ListPromptsAsync(new ListPromptsRequestParams(), TestContext.Current.CancellationToken);
        var templates = await mcp.Client.ListResourceTemplatesAsync(new ListResourceTemplatesRequestParams(), TestContext.Current.CancellationToken);
        var resources = await mcp.Client.ListResourcesAsync(new ListResourcesRequestParams(), TestContext.Current.CancellationToken);

        Assert.Equal((TimeSpan.FromMinutes(10), CacheScope.Public), (prompts.TimeToLive, prompts.CacheScope));
        Assert.Equal((TimeSpan.FromMinutes(10), CacheScope.Public), (templates.TimeToLive, templates.CacheScope));
        // Files come and go: the list of them is stale at once (no lifetime, or zero).
        Assert.Equal(TimeSpan.Zero, resources.TimeToLive ?? TimeSpan.Zero);
    }

    [Fact]
    public async Task Getting_a_prompt_names_its_arguments_and_the_tools_to_call()
    {
        await using var mcp = await StartAsync();
        var result = await mcp.Client.GetPromptAsync("find_definition", new Dictionary<string, object?> { ["symbol"] = "ParseConfig", ["path"] = "src" });

        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Messages).Content).Text;
        TextAssert.ContainsAll(text, "ParseConfig", "under src", "search_content");
    }

    [Fact]
    public async Task An_empty_value_completes_to_the_allowed_roots()
    {
        await using var mcp = await StartAsync();
        var completion = await CompleteAsync(mcp, FileTemplate, "path", "");
        Assert.Equal([Tree.Root + "/"], completion.Values);
    }

    [Fact]
    public async Task A_partial_root_path_completes_to_the_root_and_never_to_its_siblings()
    {
        Tree.WriteOutside("secret.txt", "s");
        await using var mcp = await StartAsync();

        // "root" and "root_evil" share a prefix: only the allowed root is offered.
        Assert.Equal([Tree.Root + "/"], (await CompleteAsync(mcp, FileTemplate, "path", Tree.Root[..^2])).Values);
        Assert.Empty((await CompleteAsync(mcp, FileTemplate, "path", Tree.Root + "_")).Values);
        Assert.Empty((await CompleteAsync(mcp, FileTemplate, "path", Tree.Outside + "/")).Values);

        // Directories above the root complete to the root alone: their other entries stay unnamed.
        Assert.Equal([Tree.Root + "/"], (await CompleteAsync(mcp, FileTemplate, "path", Tree.Base + "/")).Values);
        Assert.Equal([Tree.Root + "/"], (await CompleteAsync(mcp, FileTemplate, "path", "/")).Values);
    }

    [Fact]
    public async Task Entries_under_a_root_complete_by_prefix_with_directories_marked()
    {
        Tree.Touch("src/main.cs", "src/model/a.cs", "src/other.txt", "src/.hidden");
        await using var mcp = await StartAsync();

        Assert.Equal([$"{Tree.Root}/src/main.cs", $"{Tree.Root}/src/model/"], (await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/src/m")).Values);
        Assert.Equal([$"{Tree.Root}/src/"], (await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/")).Values);
        Assert.Equal([$"{Tree.Root}/src/.hidden"], (await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/src/.")).Values);

        // Prompt arguments also accept paths relative to the first root, and complete them relatively.
        Assert.Equal(["src/model/a.cs"], (await CompleteAsync(mcp, SummarizeTree, "path", "src/model/")).Values);
        Assert.Equal(["src/"], (await CompleteAsync(mcp, new PromptReference { Name = "review_changes" }, "path", "s")).Values);
    }

    [Fact]
    public async Task Denied_entries_are_never_suggested()
    {
        Tree.Write("app/.env", "SECRET=1");
        Tree.Touch("app/.editorconfig", "app/server.pem");
        await using var mcp = await StartAsync();

        Assert.Equal([$"{Tree.Root}/app/.editorconfig"], (await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/app/.e")).Values);
        Assert.Empty((await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/app/ser")).Values);
    }

    [Theory]
    [InlineData("{root}/../root_evil/")]
    [InlineData("{root}/../")]
    [InlineData("{root}/./")]
    [InlineData("{root}//")]
    [InlineData("../")]
    [InlineData("../root_evil/s")]
    [InlineData("src/../../")]
    [InlineData("/etc/")]
    [InlineData("/etc/pass")]
    [InlineData("~/")]
    [InlineData("{root}/link/")]
    [InlineData("{root}/link/se")]
    [InlineData("{root}/src\0/")]
    [InlineData("file:///etc/")]
    public async Task Hostile_values_complete_to_nothing(string value)
    {
        Tree.Write("src/a.cs", "");
        Tree.WriteOutside("secret.txt", "s");
        Tree.Link("link", Tree.Outside);
        await using var mcp = await StartAsync();
        var resolved = value.Replace("{root}", Tree.Root, StringComparison.Ordinal);

        foreach (Reference reference in new Reference[] { FileTemplate, SummarizeTree })
        {
            var completion = await CompleteAsync(mcp, reference, "path", resolved);
            Assert.Empty(completion.Values);
            Assert.Equal(0, completion.Total);
        }
    }

    [Fact]
    public async Task A_huge_prefix_completes_to_nothing()
    {
        await using var mcp = await StartAsync();
        var completion = await CompleteAsync(mcp, FileTemplate, "path", Tree.Root + "/" + new string('a', 100_000));
        Assert.Empty(completion.Values);
    }

    [Fact]
    public async Task Unknown_references_and_arguments_have_no_suggestions()
    {
        Tree.Write("src/a.cs", "");
        await using var mcp = await StartAsync();

        Assert.Empty((await CompleteAsync(mcp, new PromptReference { Name = "test_prompt_with_arguments" }, "arg1", "test")).Values);
        Assert.Empty((await CompleteAsync(mcp, new ResourceTemplateReference { Uri = "file:///{x}" }, "path", Tree.Root + "/")).Values);
        Assert.Empty((await CompleteAsync(mcp, new PromptReference { Name = "find_definition" }, "symbol", "s")).Values);
    }

    [Fact]
    public async Task A_large_directory_completes_to_at_most_100_values_and_says_how_many_there_are()
    {
        for (var i = 0; i < 250; i++)
        {
            Tree.Write($"many/f{i:D3}.txt", "");
        }

        await using var mcp = await StartAsync();
        var completion = await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/many/f");

        Assert.Equal(100, completion.Values.Count);
        Assert.Equal(250, completion.Total);
        Assert.True(completion.HasMore);
        Assert.Equal($"{Tree.Root}/many/f000.txt", completion.Values[0]);

        var narrow = await CompleteAsync(mcp, FileTemplate, "path", $"{Tree.Root}/many/f24");
        Assert.Equal(10, narrow.Values.Count);
        Assert.False(narrow.HasMore ?? false);
    }

    [Fact]
    public async Task The_server_declares_prompts_and_completions()
    {
        await using var mcp = await StartAsync();
        Assert.NotNull(mcp.Client.ServerCapabilities.Prompts);
        Assert.NotNull(mcp.Client.ServerCapabilities.Completions);
        Assert.NotNull(mcp.Client.ServerCapabilities.Resources);
    }
}
