namespace Connectors.Slack.Tests;

/// <summary>The read tools end to end: real server process over stdio, emulated Slack.</summary>
/// <remarks>
/// The histories are checked message by message, so this class reads a workspace of its own, which the posting tests
/// of the collection never write to; it stays in the collection to run one at a time with them as before.
/// </remarks>
[Collection(SlackCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class ReadToolsTests(UntouchedSlackFixture slack) : IClassFixture<UntouchedSlackFixture>
{
    [Fact]
    public async Task List_channels_shows_public_and_private_channels_with_membership_and_topic()
    {
        slack.Reset();
        var text = await slack.Client.OkAsync("list_channels");

        TextAssert.ContainsAll(
            text,
            $"#general ({SlackWorkspace.General}) public, member, 4 members — topic: Company-wide announcements",
            $"#random ({SlackWorkspace.Random}) public, not a member",
            $"#secret-plans ({SlackWorkspace.Secret}) private, member");
        Assert.DoesNotContain("old-project", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DM with", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_channels_pages_with_a_cursor_and_lists_direct_messages_by_person()
    {
        slack.Reset();
        var first = await slack.Client.OkAsync("list_channels", ("types", "public,private,im"), ("limit", 2), ("include_archived", true));
        Assert.Contains("2 channel(s)", first, StringComparison.Ordinal);
        var cursor = first.Split("cursor=\"")[1].Split('"')[0];

        var rest = await slack.Client.OkAsync("list_channels", ("types", "public,private,im"), ("limit", 10), ("cursor", cursor), ("include_archived", true));
        Assert.Contains("#old-project", rest, StringComparison.Ordinal);
        Assert.Contains($"DM with @Alice ({SlackWorkspace.AliceDm})", rest, StringComparison.Ordinal);
        Assert.DoesNotContain("cursor=", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channel_history_reads_like_slack_shows_it()
    {
        slack.Reset();
        var text = await slack.Client.OkAsync("get_channel_history", ("channel", "#general"));

        Assert.Contains($"#general ({SlackWorkspace.General}): 4 message(s), newest first.", text, StringComparison.Ordinal);
        // Mentions, channel links, labelled links, mrkdwn, entities and broadcasts made readable.
        TextAssert.ContainsAll(
            text,
            "@Alice: Launch plan for Friday: see the plan (https://example.com/plan) and ask @bobby in #ops",
            "@bobby: @here standup moved to 10:30 & the notes are in https://notes.example.com",
            "thread: 2 replies",
            $"get_thread_replies channel={SlackWorkspace.General} ts=",
            "file: mockups.pdf (pdf, 240 KB)",
            "@deploybot [bot]: Deployed v2.3.1 to production",
            "attachment: Build 812 — All checks passed (https://ci.example.com/812)");
        Assert.Matches(@"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ts=\d+\.\d{6}\] @Carol Diaz: Mockups attached", text);
        // Thread replies stay in their thread.
        Assert.DoesNotContain("prepare the rollback", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_time_window_keeps_only_recent_messages_and_a_count_pages_with_a_cursor()
    {
        slack.Reset();
        var recent = await slack.Client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General), ("limit", "4h"));
        Assert.Contains("2 message(s) since", recent, StringComparison.Ordinal);
        Assert.Contains("standup moved", recent, StringComparison.Ordinal);
        Assert.DoesNotContain("Mockups", recent, StringComparison.Ordinal);

        var newest = await slack.Client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General), ("limit", "1"));
        Assert.Contains("1 message(s)", newest, StringComparison.Ordinal);
        var cursor = newest.Split("cursor=\"")[1].Split('"')[0];
        var older = await slack.Client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General), ("limit", "1"), ("cursor", cursor));
        Assert.Contains("Deployed v2.3.1", older, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thread_reads_parent_first_then_replies()
    {
        slack.Reset();
        var history = await slack.Client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General));
        var ts = history.Split("get_thread_replies channel=C0GENERAL1 ts=")[1].Split(')')[0];

        var thread = await slack.Client.OkAsync("get_thread_replies", ("channel", "#general"), ("ts", ts));

        Assert.Contains($"Thread {ts} in #general ({SlackWorkspace.General}), 2 replies", thread, StringComparison.Ordinal);
        var parent = thread.IndexOf("Launch plan", StringComparison.Ordinal);
        var first = thread.IndexOf("@bobby: Sounds good", StringComparison.Ordinal);
        var second = thread.IndexOf("@Carol Diaz: Designs are ready", StringComparison.Ordinal);
        Assert.True(parent > 0 && first > parent && second > first, thread);
    }

    [Fact]
    public async Task People_are_found_by_id_handle_display_name_and_email()
    {
        slack.Reset();
        var byId = await slack.Client.OkAsync("get_user_profile", ("user", SlackWorkspace.Bob));
        TextAssert.ContainsAll(byId, $"@bob ({SlackWorkspace.Bob})", "Display name: bobby", "Title: SRE", "Email: bob@example.com");

        Assert.Contains("Real name: Carol Diaz", await slack.Client.OkAsync("get_user_profile", ("user", "@carol")), StringComparison.Ordinal);
        Assert.Contains("@bob (", await slack.Client.OkAsync("get_user_profile", ("user", "@bobby")), StringComparison.Ordinal);
        Assert.Contains("Account: admin", await slack.Client.OkAsync("get_user_profile", ("user", "alice@example.com")), StringComparison.Ordinal);

        var missing = await slack.Client.CallAsync("get_user_profile", ("user", "nobody@example.com"));
        Assert.Equal("not_found", missing.ErrorCode());
    }

    [Fact]
    public async Task List_users_leaves_out_bots_and_deactivated_accounts_unless_asked()
    {
        slack.Reset();
        var people = await slack.Client.OkAsync("list_users");
        Assert.Contains($"@alice ({SlackWorkspace.Alice}) Alice — Engineering manager, Europe/Paris [admin]", people, StringComparison.Ordinal);
        Assert.DoesNotContain("deploybot", people, StringComparison.Ordinal);
        Assert.DoesNotContain("@gone", people, StringComparison.Ordinal);

        var everyone = await slack.Client.OkAsync("list_users", ("include_bots", true), ("include_deleted", true));
        Assert.Contains("@deploybot", everyone, StringComparison.Ordinal);
        Assert.Contains("[deactivated]", everyone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_uses_the_user_token_and_shows_channel_time_and_permalink()
    {
        slack.Reset();
        var text = await slack.Client.OkAsync("search_messages", ("query", "launch in:#general"), ("sort", "timestamp"));

        TextAssert.ContainsAll(
            text,
            "1 match(es)",
            $"#general ({SlackWorkspace.General}) [",
            "@Alice: Launch plan for Friday",
            "link: https://emulated.slack.com/archives/C0GENERAL1/p");
        Assert.Equal(1, slack.Emulator.Calls("search.messages"));
    }

    [Fact]
    public async Task Search_pages_point_to_the_next_page()
    {
        slack.Reset();
        var first = await slack.Client.OkAsync("search_messages", ("query", "o"), ("count", 2));
        Assert.Contains("page 1 of", first, StringComparison.Ordinal);
        Assert.Contains("call again with page=2", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invisible_characters_in_messages_are_removed_and_the_answer_says_so()
    {
        slack.Reset();
        lock (slack.Emulator.Workspace.Gate)
        {
            slack.Emulator.Workspace.Channel(SlackWorkspace.Ops).Messages.Add(new EmulatedMessage
            {
                Ts = slack.Emulator.Workspace.NewTs(DateTimeOffset.UtcNow),
                User = SlackWorkspace.Bob,
                Text = "deploy\u200B is\u202E done\U000E0049\U000E0047\U000E004E",
            });
        }

        var result = await slack.Client.CallToolAsync("get_channel_history", new Dictionary<string, object?> { ["channel"] = "#ops", ["limit"] = "1" });
        var text = result.Text();

        Assert.Contains("@bobby: deploy is done\n", text, StringComparison.Ordinal);
        Assert.Contains("[Removed from untrusted text: 5 invisible or direction-control characters.]", text, StringComparison.Ordinal);
        // The structured message is the sanitized one as well.
        var message = result.StructuredContent!.Value.GetProperty("messages")[0];
        Assert.Equal("deploy is done", message.GetProperty("text").GetString());
        Assert.Equal("bobby", message.GetProperty("author").GetString());
    }

    [Fact]
    public async Task Prompts_guide_a_summary_and_a_catch_up()
    {
        var summary = await slack.Client.GetPromptAsync("summarize_channel", new Dictionary<string, object?> { ["channel"] = "#ops", ["window"] = "7d" });
        Assert.Contains("get_channel_history with channel=\"#ops\" and limit=\"7d\"", ((ModelContextProtocol.Protocol.TextContentBlock)summary.Messages[0].Content).Text, StringComparison.Ordinal);

        var catchUp = await slack.Client.GetPromptAsync("catch_up", new Dictionary<string, object?> { ["since"] = "8h" });
        var text = ((ModelContextProtocol.Protocol.TextContentBlock)catchUp.Messages[0].Content).Text;
        Assert.Contains("member_only=true", text, StringComparison.Ordinal);
        Assert.Contains("search_messages", text, StringComparison.Ordinal);
    }
}
