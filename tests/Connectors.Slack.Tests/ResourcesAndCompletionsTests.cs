using ModelContextProtocol;

namespace Connectors.Slack.Tests;

/// <summary>Channels and people as resources, and completions that come from the directory's cache without calling Slack.</summary>
[Collection(SlackCollection.Name)]
public sealed class ResourcesAndCompletionsTests(SlackFixture slack)
{
    private static readonly ResourceTemplateReference ChannelTemplate = new() { Uri = "slack://channel/{id}" };
    private static readonly ResourceTemplateReference UserTemplate = new() { Uri = "slack://user/{id}" };

    private async Task<(SlackEmulator Emulator, McpClient Client)> StartOwnAsync(SlackWorkspace? workspace = null)
    {
        var emulator = await SlackEmulator.StartAsync(workspace);
        return (emulator, await slack.StartAsync([], emulator: emulator));
    }

    private static async Task<ListResourcesResult> ListAsync(McpClient client, string? cursor) =>
        await client.ListResourcesAsync(new ListResourcesRequestParams { Cursor = cursor });

    [Fact]
    public async Task The_templates_are_listed_and_declared()
    {
        var templates = await slack.Client.ListResourceTemplatesAsync();
        Assert.Equal(["slack://channel/{id}", "slack://user/{id}"], templates.Select(t => t.UriTemplate).Order(StringComparer.Ordinal));
        Assert.All(templates, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
        Assert.NotNull(slack.Client.ServerCapabilities.Completions);
    }

    [Fact]
    public async Task Resources_list_pages_channels_then_people_one_slack_call_each()
    {
        var (emulator, client) = await StartOwnAsync();
        await using (emulator)
        await using (client)
        {
            var channels = await ListAsync(client, null);
            Assert.Equal(1, emulator.Calls("conversations.list"));
            Assert.Equal(0, emulator.Calls("users.list"));
            var general = channels.Resources.Single(r => r.Uri == $"slack://channel/{SlackWorkspace.General}");
            Assert.Equal("#general", general.Name);
            Assert.Equal("Everyone", general.Description);
            Assert.DoesNotContain(channels.Resources, r => r.Uri.EndsWith(SlackWorkspace.Archived, StringComparison.Ordinal));
            Assert.NotNull(channels.NextCursor);

            var people = await ListAsync(client, channels.NextCursor);
            Assert.Equal(1, emulator.Calls("users.list"));
            Assert.Contains(people.Resources, r => r.Uri == $"slack://user/{SlackWorkspace.Bob}" && r.Name == "@bob" && r.Description == "bobby - SRE");
            Assert.DoesNotContain(people.Resources, r => r.Uri == "slack://user/U0GONE0001");
            Assert.Null(people.NextCursor);
        }
    }

    [Fact]
    public async Task A_workspace_with_many_channels_is_listed_in_bounded_pages()
    {
        var workspace = SlackWorkspace.CreateDefault();
        for (var i = 0; i < 230; i++)
        {
            workspace.Channels.Add(new EmulatedChannel { Id = $"C0BULK{i:D4}", Name = $"bulk-{i:D3}" });
        }

        var (emulator, client) = await StartOwnAsync(workspace);
        await using (emulator)
        await using (client)
        {
            var uris = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await ListAsync(client, cursor);
                Assert.InRange(page.Resources.Count, 1, 100);
                uris.AddRange(page.Resources.Select(r => r.Uri));
                cursor = page.NextCursor;
                pages++;
            }
            while (cursor is not null && pages < 20);

            Assert.Null(cursor);
            Assert.Equal(230, uris.Count(u => u.StartsWith("slack://channel/C0BULK", StringComparison.Ordinal)));
            Assert.Equal(uris.Count, uris.Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(3, emulator.Calls("conversations.list"));
            Assert.Equal(1, emulator.Calls("users.list"));
        }
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("channels:not-a-slack-cursor")]
    public async Task A_cursor_the_server_did_not_give_is_an_invalid_params_error(string cursor)
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => ListAsync(slack.Client, cursor));
        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
    }

    [Fact]
    public async Task A_channel_and_a_person_read_as_text_by_id_or_name()
    {
        var channel = Assert.IsType<TextResourceContents>(Assert.Single((await slack.Client.ReadResourceAsync($"slack://channel/{SlackWorkspace.Ops}")).Contents));
        Assert.StartsWith($"#ops ({SlackWorkspace.Ops}): public channel", channel.Text, StringComparison.Ordinal);
        Assert.Contains("Topic: Deploys and incidents", channel.Text, StringComparison.Ordinal);

        var byName = Assert.IsType<TextResourceContents>(Assert.Single((await slack.Client.ReadResourceAsync("slack://channel/general")).Contents));
        Assert.Equal($"slack://channel/{SlackWorkspace.General}", byName.Uri);

        var person = Assert.IsType<TextResourceContents>(Assert.Single((await slack.Client.ReadResourceAsync($"slack://user/{SlackWorkspace.Alice}")).Contents));
        Assert.StartsWith($"Alice ({SlackWorkspace.Alice}), @alice", person.Text, StringComparison.Ordinal);
        Assert.Contains("Title: Engineering manager", person.Text, StringComparison.Ordinal);

        // What the user template completes to reads back: a handle in the URI.
        var byHandle = Assert.IsType<TextResourceContents>(Assert.Single((await slack.Client.ReadResourceAsync("slack://user/@bob")).Contents));
        Assert.Equal($"slack://user/{SlackWorkspace.Bob}", byHandle.Uri);
    }

    [Fact]
    public async Task An_unknown_channel_or_person_is_resource_not_found()
    {
        var channel = await Assert.ThrowsAsync<McpProtocolException>(() => slack.Client.ReadResourceAsync("slack://channel/C0NOSUCH99").AsTask());
        Assert.Equal(McpErrorCode.ResourceNotFound, channel.ErrorCode);
        var user = await Assert.ThrowsAsync<McpProtocolException>(() => slack.Client.ReadResourceAsync("slack://user/U0NOSUCH99").AsTask());
        Assert.Equal(McpErrorCode.ResourceNotFound, user.ErrorCode);
    }

    [Fact]
    public async Task Completions_come_from_the_cache_and_never_call_slack()
    {
        var (emulator, client) = await StartOwnAsync();
        await using (emulator)
        await using (client)
        {
            // Nothing met yet: nothing to suggest, and no call made to find some.
            Assert.Empty((await client.CompleteAsync(ChannelTemplate, "id", "#g")).Completion.Values);
            Assert.Equal(0, emulator.TotalCalls);

            await ListAsync(client, null);
            await ListAsync(client, "users:");
            emulator.ResetCounters();

            Assert.Equal(["general"], (await client.CompleteAsync(ChannelTemplate, "id", "#gen")).Completion.Values);
            Assert.Equal(["general"], (await client.CompleteAsync(ChannelTemplate, "id", "gen")).Completion.Values);
            Assert.Equal(["#general"], (await client.CompleteAsync(new PromptReference { Name = "summarize_channel" }, "channel", "GEN")).Completion.Values);
            Assert.Equal([SlackWorkspace.Ops], (await client.CompleteAsync(ChannelTemplate, "id", "C0OPS")).Completion.Values);
            Assert.Equal(["@bob", "@bobby"], (await client.CompleteAsync(UserTemplate, "id", "@bob")).Completion.Values);
            Assert.Equal(["@carol"], (await client.CompleteAsync(UserTemplate, "id", "car")).Completion.Values);
            Assert.Empty((await client.CompleteAsync(UserTemplate, "id", "@gone")).Completion.Values);
            Assert.Equal(["1d"], (await client.CompleteAsync(new PromptReference { Name = "catch_up" }, "since", "1d")).Completion.Values);
            Assert.Equal(0, emulator.TotalCalls);
        }
    }

    [Theory]
    [InlineData("test_prompt_with_arguments", "arg1", "test")]
    [InlineData("summarize_channel", "nonexistent_argument", "x")]
    public async Task Unknown_prompts_and_arguments_have_no_suggestions(string prompt, string argument, string value)
    {
        var completion = (await slack.Client.CompleteAsync(new PromptReference { Name = prompt }, argument, value)).Completion;
        Assert.Empty(completion.Values);
        Assert.Equal(0, completion.Total);
    }

    [Fact]
    public async Task Hostile_values_have_no_suggestions()
    {
        await slack.Client.CallToolAsync("list_channels", new Dictionary<string, object?>());
        Assert.Empty((await slack.Client.CompleteAsync(ChannelTemplate, "id", new string('g', 100_000))).Completion.Values);
        Assert.Empty((await slack.Client.CompleteAsync(ChannelTemplate, "id", "#gen\0")).Completion.Values);
        Assert.Empty((await slack.Client.CompleteAsync(ChannelTemplate, "id", "../")).Completion.Values);
        Assert.Empty((await slack.Client.CompleteAsync(new ResourceTemplateReference { Uri = "slack://nope/{id}" }, "id", "")).Completion.Values);
    }

    [Fact]
    public async Task Completions_are_bounded_to_100_with_the_total()
    {
        var workspace = SlackWorkspace.CreateDefault();
        for (var i = 0; i < 150; i++)
        {
            workspace.Channels.Add(new EmulatedChannel { Id = $"C0BULK{i:D4}", Name = $"bulk-{i:D3}" });
        }

        var (emulator, client) = await StartOwnAsync(workspace);
        await using (emulator)
        await using (client)
        {
            for (var cursor = (string?)null; cursor is null || cursor.StartsWith("channels:", StringComparison.Ordinal);)
            {
                cursor = (await ListAsync(client, cursor)).NextCursor;
            }

            var completion = (await client.CompleteAsync(ChannelTemplate, "id", "bulk")).Completion;
            Assert.Equal(100, completion.Values.Count);
            Assert.Equal(150, completion.Total);
            Assert.True(completion.HasMore);
        }
    }

    [Trait("Category", "ServerProcess")]
    [Theory]
    [InlineData("prompts-list")]
    [InlineData("completion-complete")]
    [InlineData("resources-list")]
    public async Task The_official_conformance_scenario_passes_over_http(string scenario)
    {
        await using var server = await ServerProcess.StartHttpAsync(SlackFixture.Project, ["--api-url", slack.Emulator.Url], SlackFixture.Environment());
        await Conformance.AssertScenarioPassesAsync(server.BaseUrl, scenario);
    }
}
