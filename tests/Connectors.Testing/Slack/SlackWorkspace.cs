using System.Globalization;

namespace Connectors.Testing.Slack;

/// <summary>A person (or bot user) of the emulated workspace.</summary>
public sealed class EmulatedUser
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public string RealName { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string? Email { get; set; }

    public string Title { get; set; } = "";

    public string StatusText { get; set; } = "";

    public string Tz { get; set; } = "Europe/Paris";

    public bool IsBot { get; init; }

    public bool IsAdmin { get; init; }

    public bool Deleted { get; set; }
}

/// <summary>A channel, private channel, direct message or group DM, with its members and messages.</summary>
public sealed class EmulatedChannel
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public bool IsPrivate { get; init; }

    public bool IsIm { get; init; }

    public bool IsMpim { get; init; }

    public bool IsArchived { get; set; }

    public string Topic { get; set; } = "";

    public string Purpose { get; set; } = "";

    /// <summary>For a direct message: the other person.</summary>
    public string? ImUser { get; init; }

    public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

    public List<EmulatedMessage> Messages { get; } = [];
}

public sealed record EmulatedFile(string Name, string FileType, long Size);

public sealed record EmulatedAttachment(string Title, string Text, string? Link);

public sealed class EmulatedMessage
{
    public required string Ts { get; init; }

    public string? User { get; init; }

    public string? BotId { get; init; }

    public string? Username { get; init; }

    public string? Subtype { get; init; }

    public required string Text { get; init; }

    public string? ThreadTs { get; init; }

    public bool ReplyBroadcast { get; init; }

    public bool Edited { get; init; }

    public bool UnfurlLinks { get; init; }

    public bool UnfurlMedia { get; init; }

    public List<EmulatedFile> Files { get; init; } = [];

    public List<EmulatedAttachment> Attachments { get; init; } = [];

    /// <summary>Emoji name → who reacted.</summary>
    public Dictionary<string, List<string>> Reactions { get; } = new(StringComparer.Ordinal);
}

/// <summary>A token the emulator accepts: whose it is and which scopes it carries.</summary>
public sealed class EmulatedToken
{
    public required string Value { get; init; }

    public required bool IsBot { get; init; }

    public required string UserId { get; init; }

    public string? BotId { get; init; }

    public HashSet<string> Scopes { get; } = new(StringComparer.Ordinal);

    public bool Revoked { get; set; }
}

/// <summary>The emulator's in-memory state. Lock it (<see cref="Gate"/>) when changing it while the emulator serves.</summary>
public sealed class SlackWorkspace
{
    public const string BotToken = "xoxb-emulator-bot-0000000000";
    public const string UserToken = "xoxp-emulator-user-0000000000";
    public const string BotUserId = "U0APPBOT01";
    public const string General = "C0GENERAL1";
    public const string Random = "C0RANDOM01";
    public const string Secret = "G0SECRET01";
    public const string Ops = "C0OPSROOM1";
    public const string Archived = "C0ARCHIVE1";
    public const string AliceDm = "D0ALICEDM1";
    public const string Alice = "U0ALICE001";
    public const string Bob = "U0BOB00001";
    public const string Carol = "U0CAROL001";
    public const string DeployBot = "U0DEPLOY01";

    public static readonly string[] BotScopes =
    [
        "channels:read", "channels:history", "groups:read", "groups:history", "im:read", "im:history", "mpim:read", "mpim:history",
        "users:read", "users:read.email", "chat:write", "reactions:write",
    ];

    private readonly HashSet<long> _issued = [];

    public object Gate { get; } = new();

    public string TeamId { get; init; } = "T0EMULATE1";

    public string TeamName { get; init; } = "Emulated Team";

    public List<EmulatedUser> Users { get; } = [];

    public List<EmulatedChannel> Channels { get; } = [];

    public Dictionary<string, EmulatedToken> Tokens { get; } = new(StringComparer.Ordinal);

    public EmulatedChannel Channel(string id) => Channels.Single(c => c.Id == id);

    /// <summary>A unique ts at (or just after) the given time, as Slack's are unique per channel.</summary>
    public string NewTs(DateTimeOffset at)
    {
        var micros = at.ToUnixTimeMilliseconds() * 1000;
        lock (Gate)
        {
            while (!_issued.Add(micros))
            {
                micros++;
            }

            return (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A small team: people (one deactivated, one bot), public and private channels, a DM, threads, files, links.</summary>
    public static SlackWorkspace CreateDefault()
    {
        var workspace = new SlackWorkspace();
        workspace.Users.AddRange(
        [
            new EmulatedUser { Id = Alice, Name = "alice", RealName = "Alice Martin", DisplayName = "Alice", Email = "alice@example.com", Title = "Engineering manager", StatusText = "In the office", IsAdmin = true },
            new EmulatedUser { Id = Bob, Name = "bob", RealName = "Bob Chen", DisplayName = "bobby", Email = "bob@example.com", Title = "SRE", Tz = "America/New_York" },
            new EmulatedUser { Id = Carol, Name = "carol", RealName = "Carol Diaz", DisplayName = "", Email = "carol@example.com", Title = "Designer" },
            new EmulatedUser { Id = "U0GONE0001", Name = "gone", RealName = "Former Colleague", Deleted = true },
            new EmulatedUser { Id = DeployBot, Name = "deploybot", RealName = "Deploy Bot", IsBot = true },
            new EmulatedUser { Id = BotUserId, Name = "connectors", RealName = "Connectors", IsBot = true },
        ]);

        var bot = new EmulatedToken { Value = BotToken, IsBot = true, UserId = BotUserId, BotId = "B0APPBOT01" };
        bot.Scopes.UnionWith(BotScopes);
        var user = new EmulatedToken { Value = UserToken, IsBot = false, UserId = Alice };
        user.Scopes.UnionWith([.. BotScopes, "search:read"]);
        workspace.Tokens[bot.Value] = bot;
        workspace.Tokens[user.Value] = user;

        var everyone = new[] { Alice, Bob, Carol, BotUserId };
        var general = new EmulatedChannel { Id = General, Name = "general", Topic = "Company-wide announcements", Purpose = "Everyone" };
        general.Members.UnionWith(everyone);
        var random = new EmulatedChannel { Id = Random, Name = "random", Topic = "Anything goes" };
        random.Members.UnionWith([Alice, Bob]);
        var secret = new EmulatedChannel { Id = Secret, Name = "secret-plans", IsPrivate = true, Purpose = "Private planning" };
        secret.Members.UnionWith([Alice, BotUserId]);
        var ops = new EmulatedChannel { Id = Ops, Name = "ops", Topic = "Deploys and incidents" };
        ops.Members.UnionWith([Alice, Bob, BotUserId]);
        var archived = new EmulatedChannel { Id = Archived, Name = "old-project", IsArchived = true };
        archived.Members.UnionWith(everyone);
        var dm = new EmulatedChannel { Id = AliceDm, Name = "", IsIm = true, IsPrivate = true, ImUser = Alice };
        dm.Members.UnionWith([Alice, BotUserId]);
        workspace.Channels.AddRange([general, random, secret, ops, archived, dm]);

        var now = DateTimeOffset.UtcNow;
        var launch = workspace.NewTs(now.AddHours(-30));
        general.Messages.AddRange(
        [
            new EmulatedMessage { Ts = launch, User = Alice, Text = "Launch plan for *Friday*: see <https://example.com/plan|the plan> and ask <@U0BOB00001> in <#C0OPSROOM1|ops>" },
            new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-29)), User = Bob, Text = "Sounds good, I'll prepare the rollback", ThreadTs = launch },
            new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-28)), User = Carol, Text = "Designs are ready", ThreadTs = launch },
            new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-5)), User = Carol, Text = "Mockups attached", Files = [new EmulatedFile("mockups.pdf", "pdf", 245_760)] },
            new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-3)), BotId = "B0DEPLOY01", Username = "deploybot", Subtype = "bot_message", Text = "Deployed v2.3.1 to production",
                Attachments = [new EmulatedAttachment("Build 812", "All checks passed", "https://ci.example.com/812")] },
            new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-1)), User = Bob, Text = "<!here> standup moved to 10:30 &amp; the notes are in <https://notes.example.com>" },
        ]);
        ops.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-2)), User = Bob, Text = "Incident review: disk filled on db-2, fixed by <@U0ALICE001>" });
        random.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-4)), User = Alice, Text = "Lunch anyone?" });
        secret.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(now.AddHours(-6)), User = Alice, Text = "Reorg draft v3 — launch date is Friday" });
        dm.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(now.AddMinutes(-30)), User = Alice, Text = "Can you summarize #general for me?" });
        archived.Messages.Add(new EmulatedMessage { Ts = workspace.NewTs(now.AddDays(-90)), User = Carol, Text = "Project closed" });
        return workspace;
    }
}
