namespace Connectors.Slack.Tests;

/// <summary>Posting exists only with --allow-post-channels, only in those channels, at most once per idempotency key.</summary>
[Collection(SlackCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class PostingToolsTests(SlackFixture slack)
{
    private static readonly string[] PostingTools = ["post_message", "reply_to_thread", "add_reaction"];

    [Fact]
    public async Task Without_allow_post_channels_no_posting_tool_exists_and_read_only_removes_them_too()
    {
        await using var readOnly = await slack.StartAsync([]);
        var names = (await readOnly.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.DoesNotContain(names, PostingTools.Contains);
        Assert.Contains("get_channel_history", names);
        var call = await Assert.ThrowsAnyAsync<Exception>(() => readOnly.CallAsync("post_message", ("channel", "#general"), ("text", "hi")));
        Assert.Contains("post_message", call.Message, StringComparison.Ordinal);

        await using var locked = await slack.StartAsync(["--allow-post-channels", "*", "--read-only"]);
        Assert.DoesNotContain((await locked.ListToolsAsync()).Select(t => t.Name), PostingTools.Contains);
    }

    [Fact]
    public async Task A_post_is_sent_as_given_without_link_previews_and_returns_its_ts()
    {
        slack.Reset();
        var text = "Release *today* <@U0BOB00001> — see <https://example.com|notes> & more";
        var answer = await slack.Client.OkAsync("post_message", ("channel", "#general"), ("text", text));

        Assert.Matches(@"Posted in #general \(C0GENERAL1\) at \d{4}-.*Z, ts=\d+\.\d{6}\.", answer);
        var request = Assert.Single(slack.Emulator.PostRequests, r => r["text"] == text);
        Assert.Equal("false", request["unfurl_links"]);
        Assert.Equal("false", request["unfurl_media"]);
        Assert.Equal(SlackWorkspace.General, request["channel"]);
    }

    [Fact]
    public async Task Posting_outside_the_allow_list_is_denied_naming_the_list_and_nothing_is_sent()
    {
        slack.Reset();
        var denied = await slack.Client.CallAsync("post_message", ("channel", SlackWorkspace.Secret), ("text", "leak"));

        Assert.Equal("permission_denied", denied.ErrorCode());
        Assert.Contains("C0GENERAL1, C0OPSROOM1 (--allow-post-channels)", denied.Text(), StringComparison.Ordinal);
        Assert.Equal(0, slack.Emulator.Calls("chat.postMessage"));

        var reaction = await slack.Client.CallAsync("add_reaction", ("channel", "#random"), ("ts", "1700000000.000100"), ("name", "eyes"));
        Assert.Equal("permission_denied", reaction.ErrorCode());
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_first_post_instead_of_posting_twice()
    {
        slack.Reset();
        var key = Guid.NewGuid().ToString();
        var first = await slack.Client.OkAsync("post_message", ("channel", "#ops"), ("text", "Deploy starting"), ("idempotency_key", key));
        var again = await slack.Client.OkAsync("post_message", ("channel", "#ops"), ("text", "Deploy starting"), ("idempotency_key", key));

        var ts = first.Split("ts=")[1].Split(' ')[0].TrimEnd('.');
        Assert.Contains($"ts={ts}", again, StringComparison.Ordinal);
        Assert.Contains("nothing new was sent", again, StringComparison.Ordinal);
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));

        var reused = await slack.Client.CallAsync("post_message", ("channel", "#ops"), ("text", "Something else"), ("idempotency_key", key));
        Assert.Equal("conflict", reused.ErrorCode());
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task Replies_go_into_the_thread_and_reactions_are_added_once()
    {
        slack.Reset();
        var post = await slack.Client.OkAsync("post_message", ("channel", SlackWorkspace.Ops), ("text", "Incident opened"));
        var ts = post.Split("ts=")[1].Split(' ')[0].TrimEnd('.');

        var reply = await slack.Client.OkAsync("reply_to_thread", ("channel", "#ops"), ("thread_ts", ts), ("text", "Mitigated"), ("broadcast", true));
        Assert.Contains($"Replied in thread {ts} in #ops", reply, StringComparison.Ordinal);
        var request = slack.Emulator.PostRequests.Last();
        Assert.Equal(ts, request["thread_ts"]);
        Assert.Equal("true", request["reply_broadcast"]);

        Assert.Contains("Added :white_check_mark:", await slack.Client.OkAsync("add_reaction", ("channel", "#ops"), ("ts", ts), ("name", ":white_check_mark:")), StringComparison.Ordinal);
        Assert.Contains("already on message", await slack.Client.OkAsync("add_reaction", ("channel", "#ops"), ("ts", ts), ("name", "white_check_mark")), StringComparison.Ordinal);

        var thread = await slack.Client.OkAsync("get_thread_replies", ("channel", "#ops"), ("ts", ts));
        Assert.Contains("@Connectors [bot]: Mitigated", thread, StringComparison.Ordinal);
        Assert.Contains("reactions: :white_check_mark: 1", thread, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_posting_arguments_are_invalid_argument_before_slack_is_called()
    {
        slack.Reset();
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("post_message", ("channel", "#general"), ("text", "  "))).ErrorCode());
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("post_message", ("channel", "#general"), ("text", new string('x', 40_001)))).ErrorCode());
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("reply_to_thread", ("channel", "#general"), ("thread_ts", "yesterday"), ("text", "x"))).ErrorCode());
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("add_reaction", ("channel", "#general"), ("ts", "1700000000.000100"), ("name", "no spaces"))).ErrorCode());
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("post_message", ("channel", "#general"), ("text", "x"), ("idempotency_key", "has space"))).ErrorCode());
        Assert.Equal(0, slack.Emulator.Calls("chat.postMessage") + slack.Emulator.Calls("reactions.add"));
    }
}
