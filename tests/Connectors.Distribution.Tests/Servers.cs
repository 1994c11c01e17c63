using Connectors.Testing.GitHub;
using Connectors.Testing.Slack;

namespace Connectors.Distribution.Tests;

/// <summary>
/// One shipped server and a smoke configuration that needs nothing outside this machine: the options to start it and
/// one tool call whose answer proves the configuration reached the tool.
/// </summary>
public sealed record ShippedServer(
    string Key, string Project, string Command, string[] Args, Func<IReadOnlyDictionary<string, string>> EnvironmentFactory, string SmokeTool, string SmokeAnswer)
{
    public string PackageId => Project;

    /// <summary>The smoke configuration, starting the API emulator it points at on first use.</summary>
    public IReadOnlyDictionary<string, string> Environment => EnvironmentFactory();

    public override string ToString() => Key;
}

public static class Servers
{
    private static readonly string Share = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);

    /// <summary>The GitHub API emulator the GitHub server's smoke configuration talks to, one for the test run.</summary>
    private static readonly Lazy<GitHubEmulator> GitHub = new(() => GitHubEmulator.StartAsync().GetAwaiter().GetResult());

    private static readonly Lazy<SlackEmulator> Slack = new(() => SlackEmulator.StartAsync().GetAwaiter().GetResult());

    public static IReadOnlyList<ShippedServer> All { get; } =
    [
        new("filesystem", "Connectors.Filesystem", "connectors-filesystem",
            [], () => new Dictionary<string, string> { ["CONNECTORS_FILESYSTEM_ROOTS"] = Share }, "list_allowed_directories", Share),
        new("database", "Connectors.Database", "connectors-database",
            [], () => new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = "Host=127.0.0.1;Port=1;Database=inventory;Username=reader" },
            "list_databases", "inventory"),
        new("github", "Connectors.GitHub", "connectors-github",
            [], () => new Dictionary<string, string> { ["GITHUB_TOKEN"] = "ghp_reader", ["GITHUB_API_URL"] = GitHub.Value.Url.ToString() },
            "get_me", "mona"),
        new("slack", "Connectors.Slack", "connectors-slack",
            [], () => new Dictionary<string, string> { ["SLACK_BOT_TOKEN"] = SlackWorkspace.BotToken, ["SLACK_API_URL"] = Slack.Value.Url },
            "list_channels", "general"),
    ];

    public static TheoryData<string> Keys => [.. All.Select(s => s.Key)];

    public static ShippedServer Get(string key) => All.Single(s => s.Key == key);
}
