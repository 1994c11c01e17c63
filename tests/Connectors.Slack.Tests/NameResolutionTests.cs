namespace Connectors.Slack.Tests;

/// <summary>
/// Names in busy channels: a cold cache fills from a few list pages instead of one lookup per person, never waits on a
/// rate limit for a name, and shows what it could not name yet as raw IDs with a notice. Each test has its own emulator
/// (a generated crowd) and its own server process, so the cache and the rate-limit buckets start cold.
/// </summary>
public sealed class NameResolutionTests
{
    private const string Crowd = "C0CROWD001";
    private const string NotResolvedYet = "some names not resolved yet";
    private static readonly string[] MentionedChannels = ["C0TOPIC001", "C0TOPIC002", "C0TOPIC003", "C0TOPIC004", "C0TOPIC005"];

    [Fact]
    public async Task A_cold_read_of_a_busy_channel_names_its_many_authors_from_a_few_list_pages()
    {
        await using var emulator = await SlackEmulator.StartAsync(CrowdWorkspace(people: 400, messages: 200, authorStep: 1));
        await using var client = await StartServerAsync(emulator);

        var text = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "200"));

        TextAssert.ContainsAll(text, "200 message(s)", "@Person 0000: ", "@Person 0199: ", "thanks @Person 0200", "see #topic-3");
        Assert.DoesNotContain("@U1P", text, StringComparison.Ordinal);
        Assert.DoesNotContain(NotResolvedYet, text, StringComparison.Ordinal);
        // 406 people in pages of 200 and 5 channels in one page, instead of 201 users.info and 5 conversations.info.
        Assert.Equal(1, emulator.Calls("conversations.history"));
        Assert.InRange(emulator.Calls("users.list"), 1, 3);
        Assert.Equal(1, emulator.Calls("conversations.list"));
        Assert.Equal(0, emulator.Calls("users.info"));
        Assert.Equal(1, emulator.Calls("conversations.info")); // the channel read itself, not a mention

        emulator.ResetCounters();
        var again = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "200"));
        Assert.Equal(text, again);
        Assert.Equal(1, emulator.TotalCalls);
    }

    [Fact]
    public async Task In_a_huge_workspace_names_beyond_the_page_budget_are_raw_ids_with_a_notice_and_the_next_call_fills_them()
    {
        // 1,406 people: the first answer may read 3 pages (600 people); its authors and mentions go up to person 995,
        // which is on page 6.
        await using var emulator = await SlackEmulator.StartAsync(CrowdWorkspace(people: 1400, messages: 498, authorStep: 2));
        await using var client = await StartServerAsync(emulator);

        var first = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "498"));

        Assert.Contains("@Person 0000: ", first, StringComparison.Ordinal);
        Assert.Contains(NotResolvedYet, first, StringComparison.Ordinal);
        Assert.Contains("@U1P", first, StringComparison.Ordinal);
        Assert.Equal(1, first.Split(NotResolvedYet).Length - 1);
        Assert.Equal(3, emulator.Calls("users.list"));
        Assert.InRange(emulator.Calls("users.info"), 0, 5);

        // The walk goes on from page 4 where the first answer stopped (the 2 pages left in Tier 2's burst reach person
        // 993); the few left are looked up one by one.
        var second = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "498"));

        Assert.DoesNotContain(NotResolvedYet, second, StringComparison.Ordinal);
        Assert.DoesNotContain("@U1P", second, StringComparison.Ordinal);
        Assert.Contains("@Person 0994: ", second, StringComparison.Ordinal);
        Assert.InRange(emulator.Calls("users.list"), 4, 6);
        Assert.InRange(emulator.Calls("users.info"), 0, 10);
    }

    [Fact]
    public async Task A_rate_limit_on_names_neither_fails_the_read_nor_is_waited_out()
    {
        await using var emulator = await SlackEmulator.StartAsync(CrowdWorkspace(people: 400, messages: 100, authorStep: 1));
        // Slack says: wait 15 s. A read that waited for names would retry users.list after 15 s (within the 20 s it may wait).
        emulator.Faults.Add(SlackFaultKind.RateLimited, "users.list", times: 1, retryAfterSeconds: 15);
        await using var client = await StartServerAsync(emulator);

        var text = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "100"));

        Assert.Contains("100 message(s)", text, StringComparison.Ordinal);
        Assert.Contains(NotResolvedYet, text, StringComparison.Ordinal);
        Assert.Contains("@U1P", text, StringComparison.Ordinal);
        Assert.Equal(1, emulator.Calls("users.list"));
        Assert.InRange(emulator.Calls("users.info"), 1, 5);
    }

    [Fact]
    public async Task A_failing_name_list_leaves_ids_raw_but_the_messages_still_come_back()
    {
        await using var emulator = await SlackEmulator.StartAsync(CrowdWorkspace(people: 400, messages: 50, authorStep: 1));
        emulator.Faults.Add(SlackFaultKind.ServerError, "users.list");
        emulator.Faults.Add(SlackFaultKind.ServerError, "users.info");
        await using var client = await StartServerAsync(emulator);

        var text = await client.OkAsync("get_channel_history", ("channel", Crowd), ("limit", "50"));

        Assert.Contains("50 message(s)", text, StringComparison.Ordinal);
        Assert.Contains($"@{PersonId(0)}: update 0", text, StringComparison.Ordinal);
        Assert.Contains(NotResolvedYet, text, StringComparison.Ordinal);
        Assert.Contains("see #topic-1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_many_direct_messages_names_the_people_from_a_list_page_not_one_lookup_each()
    {
        var workspace = CrowdWorkspace(people: 400, messages: 0, authorStep: 1);
        for (var i = 0; i < 60; i++)
        {
            var dm = new EmulatedChannel { Id = "D1P" + i.ToString("D7", CultureInfo.InvariantCulture), Name = "", IsIm = true, IsPrivate = true, ImUser = PersonId(i) };
            dm.Members.UnionWith([PersonId(i), SlackWorkspace.BotUserId]);
            workspace.Channels.Add(dm);
        }

        await using var emulator = await SlackEmulator.StartAsync(workspace);
        await using var client = await StartServerAsync(emulator);

        var text = await client.OkAsync("list_channels", ("types", "im"), ("limit", 100));

        Assert.Contains("DM with @Person 0000 (D1P0000000)", text, StringComparison.Ordinal);
        Assert.Contains("DM with @Person 0059 (D1P0000059)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(NotResolvedYet, text, StringComparison.Ordinal);
        Assert.Equal(1, emulator.Calls("users.list"));
        Assert.Equal(0, emulator.Calls("users.info"));
    }

    private static Task<McpClient> StartServerAsync(SlackEmulator emulator) =>
        ServerProcess.ConnectStdioAsync(
            SlackFixture.Project,
            ["--api-url", emulator.Url, "--log-level", "warning", "--max-output-bytes", "2000000"],
            SlackFixture.Environment(user: false));

    private static string PersonId(int index) => "U1P" + index.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>The default team plus <paramref name="people"/> generated people and a busy channel in which message i is by person i × step and thanks the next person.</summary>
    private static SlackWorkspace CrowdWorkspace(int people, int messages, int authorStep)
    {
        var workspace = SlackWorkspace.CreateDefault();
        for (var i = 0; i < people; i++)
        {
            var number = i.ToString("D4", CultureInfo.InvariantCulture);
            workspace.Users.Add(new EmulatedUser { Id = PersonId(i), Name = $"person{number}", RealName = $"Person {number} Real", DisplayName = $"Person {number}" });
        }

        var crowd = new EmulatedChannel { Id = Crowd, Name = "crowd" };
        crowd.Members.Add(SlackWorkspace.BotUserId);
        workspace.Channels.Add(crowd);
        for (var c = 0; c < MentionedChannels.Length; c++)
        {
            workspace.Channels.Add(new EmulatedChannel { Id = MentionedChannels[c], Name = $"topic-{c + 1}" });
        }

        var start = DateTimeOffset.UtcNow.AddDays(-1);
        for (var m = 0; m < messages; m++)
        {
            var author = m * authorStep;
            crowd.Messages.Add(new EmulatedMessage
            {
                Ts = workspace.NewTs(start.AddSeconds(m * 10)),
                User = PersonId(author),
                Text = $"update {m}, thanks <@{PersonId(author + 1)}>, see <#{MentionedChannels[m % MentionedChannels.Length]}>",
            });
        }

        return workspace;
    }
}
