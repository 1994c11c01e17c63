using Connectors.Testing.Slack;

namespace Connectors.Bench;

/// <summary>
/// The Slack workload (issues 8 and 10): our server and the Node reference server against the Slack emulator holding a
/// generated workspace (400 people, 150 channels, a busy channel of 400 messages with threads), measured in the same run.
/// Writes bench/results/slack.{csv,md}.
/// </summary>
internal static class SlackWorkload
{
    public const string Busy = "C0BENCH001";
    public const string PostChannel = "C0BENCHPST";
    private const string ThreadTs = "1767225600.000000";

    public static async Task<int> RunAsync(string[] args)
    {
        await using var emulator = await StartEmulatorAsync();
        return await ApiWorkload.RunAsync(args, "slack", "Slack workload (emulator, generated workspace)", c => Ours(emulator, c), c => Reference(emulator, c),
            Cases, Session, new UpstreamCounter(() => emulator.TotalCalls), who => ReportCallsByMethod(emulator, who));
    }

    /// <summary>Which Slack methods a server's whole run called (to explain the upstream call counts), then a clean slate.</summary>
    private static void ReportCallsByMethod(SlackEmulator emulator, Who who)
    {
        Console.Error.WriteLine($"[bench] slack {who.ToString().ToLowerInvariant()}: Slack calls by method: {string.Join(", ", emulator.CallCounts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}");
        emulator.ResetCounters();
    }

    /// <summary>
    /// The emulator with the generated workspace and per-minute budgets too large to run out (both servers share its bot
    /// token; the benchmark measures servers, not Slack's limits). Our server still paces itself by Slack's tiers.
    /// </summary>
    public static async Task<SlackEmulator> StartEmulatorAsync()
    {
        var emulator = await SlackEmulator.StartAsync(Generate());
        foreach (var method in emulator.PerMinuteLimits.Keys)
        {
            emulator.PerMinuteLimits[method] = 100_000_000;
        }

        return emulator;
    }

    public static ServerUnderTest Ours(SlackEmulator emulator, IReadOnlyList<string> command) =>
        new(Who.Connectors, [.. command, "--api-url", emulator.Url, "--allow-post-channels", PostChannel],
            new Dictionary<string, string> { ["SLACK_BOT_TOKEN"] = SlackWorkspace.BotToken });

    private static ServerUnderTest Reference(SlackEmulator emulator, IReadOnlyList<string> command) =>
        new(Who.Reference, command, new Dictionary<string, string>
        {
            ["SLACK_BOT_TOKEN"] = SlackWorkspace.BotToken,
            ["SLACK_TEAM_ID"] = "T0EMULATE1",
            ["NODE_OPTIONS"] = "--require " + Path.GetFullPath("bench/node/redirect-fetch.cjs"),
            ["BENCH_REDIRECT"] = "https://slack.com/api/=" + emulator.Url,
        });

    /// <summary>A read the HTTP workload repeats: a profile (served from the name cache once warm).</summary>
    public static readonly (string Tool, object Arguments) RepresentativeRead = ("get_user_profile", new { user = SlackWorkspace.Alice });

    private static readonly ToolCase[] Cases =
    [
        new("list_channels (100 public)", "list_channels", new { types = "public", limit = 100 }, "slack_list_channels", new { limit = 100 }),
        new("get_channel_history (20 messages)", "get_channel_history", new { channel = Busy, limit = "20" }, "slack_get_channel_history", new { channel_id = Busy, limit = 20 }),
        new("get_thread_replies (15 replies)", "get_thread_replies", new { channel = Busy, ts = ThreadTs }, "slack_get_thread_replies", new { channel_id = Busy, thread_ts = ThreadTs }),
        new("list_users (100)", "list_users", new { limit = 100 }, "slack_get_users", new { limit = 100 }),
        new("get_user_profile", "get_user_profile", new { user = SlackWorkspace.Alice }, "slack_get_user_profile", new { user_id = SlackWorkspace.Alice }),
        new("post_message (test channel, 1 per 1.1 s)", "post_message", new { channel = PostChannel, text = "benchmark message" }, "slack_post_message", new { channel_id = PostChannel, text = "benchmark message" },
            TimeSpan.FromSeconds(1.1)),
        new("get_channel_history (1d window)", "get_channel_history", new { channel = Busy, limit = "1d" }),
    ];

    /// <summary>Catching up: channels, a busy channel and a thread, who said what, a reply, then back to the same places.</summary>
    private static readonly ToolCase[] Session =
    [
        Cases[0],
        Cases[1],
        Cases[2],
        Cases[4],
        new("get_user_profile (bob)", "get_user_profile", new { user = SlackWorkspace.Bob }, "slack_get_user_profile", new { user_id = SlackWorkspace.Bob }),
        new("get_channel_history #general", "get_channel_history", new { channel = SlackWorkspace.General, limit = "20" }, "slack_get_channel_history", new { channel_id = SlackWorkspace.General, limit = 20 }),
        new("reply_to_thread", "reply_to_thread", new { channel = PostChannel, thread_ts = ThreadTs, text = "on it" }, "slack_reply_to_thread", new { channel_id = PostChannel, thread_ts = ThreadTs, text = "on it" }),
        Cases[5],
        Cases[1],
        Cases[2],
        Cases[4],
        Cases[3],
    ];

    /// <summary>A deterministic workspace of realistic size added to the emulator's default team (which keeps its tokens).</summary>
    private static SlackWorkspace Generate()
    {
        var workspace = SlackWorkspace.CreateDefault();
        var random = new Random(11);
        string[] words = ["deploy", "review", "standup", "latency", "customer", "release", "incident", "design", "budget", "roadmap", "metrics", "oncall"];
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));

        var people = Enumerable.Range(0, 400).Select(i => new EmulatedUser
        {
            Id = $"U0P{i:D7}",
            Name = $"person{i}",
            RealName = $"Person {i}",
            DisplayName = i % 3 == 0 ? "" : $"p{i}",
            Email = $"person{i}@example.com",
            Title = Words(2),
        }).ToList();
        workspace.Users.AddRange(people);

        for (var i = 0; i < 150; i++)
        {
            var team = new EmulatedChannel { Id = $"C0T{i:D7}", Name = $"team-{i}", Topic = Words(4), Purpose = Words(6) };
            team.Members.UnionWith(people.Skip(i).Take(20).Select(p => p.Id));
            workspace.Channels.Add(team);
        }

        var busy = new EmulatedChannel { Id = Busy, Name = "bench-busy", Topic = "Generated traffic" };
        busy.Members.UnionWith([.. people.Take(60).Select(p => p.Id), SlackWorkspace.BotUserId]);
        var post = new EmulatedChannel { Id = PostChannel, Name = "bench-posts", Topic = "Where the benchmark posts" };
        post.Members.UnionWith([SlackWorkspace.BotUserId, SlackWorkspace.Alice]);
        workspace.Channels.AddRange([busy, post]);

        var start = DateTimeOffset.UtcNow.AddHours(-40);
        for (var m = 0; m < 400; m++)
        {
            var author = people[random.Next(60)].Id;
            var mention = people[random.Next(60)].Id;
            busy.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(start.AddMinutes(m * 6)), User = author, Text = $"{Words(12)} <@{mention}> {Words(6)}" });
        }

        // One thread with a fixed ts, so the workload can name it; its parent is the channel's oldest message.
        busy.Messages.Add(new EmulatedMessage { Ts = ThreadTs, User = SlackWorkspace.Alice, Text = "Release checklist: " + Words(10) });
        post.Messages.Add(new EmulatedMessage { Ts = ThreadTs, User = SlackWorkspace.Alice, Text = "Post here: " + Words(5) });
        for (var r = 0; r < 15; r++)
        {
            busy.Messages.Add(new EmulatedMessage
            {
                Ts = (decimal.Parse(ThreadTs, CultureInfo.InvariantCulture) + 60 * (r + 1)).ToString("0.000000", CultureInfo.InvariantCulture),
                User = people[r].Id,
                Text = $"{Words(10)} <@{SlackWorkspace.Alice}>",
                ThreadTs = ThreadTs,
            });
        }

        return workspace;
    }
}
