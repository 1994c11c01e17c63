namespace Connectors.Slack.Tests;

[CollectionDefinition(Name)]
public sealed class SlackCollection : ICollectionFixture<SlackFixture>
{
    public const string Name = "slack";
}

/// <summary>
/// One emulator and one real server process over stdio (bot and user tokens, posting allowed in #general and #ops) for
/// the whole collection; tests that need their own configuration or faults start their own process.
/// </summary>
public class SlackFixture : IAsyncLifetime
{
    public const string Project = "Connectors.Slack";
    public static readonly string[] PostChannels = [SlackWorkspace.General, SlackWorkspace.Ops];

    public SlackEmulator Emulator { get; private set; } = null!;

    public McpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Emulator = await SlackEmulator.StartAsync();
        Client = await StartAsync(["--allow-post-channels", string.Join(',', PostChannels)]);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Emulator.DisposeAsync();

        // xunit.v3's IAsyncLifetime is IAsyncDisposable, and this class is open to subclasses (CA1816).
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// A server process against the shared emulator, or against <paramref name="emulator"/>; tokens come from the
    /// environment, as they would in production.
    /// </summary>
    public Task<McpClient> StartAsync(string[] args, bool bot = true, bool user = true, string? botToken = null, SlackEmulator? emulator = null) =>
        ServerProcess.ConnectStdioAsync(Project, ["--api-url", (emulator ?? Emulator).Url, "--log-level", "warning", .. args], Environment(bot, user, botToken));

    public static Dictionary<string, string> Environment(bool bot = true, bool user = true, string? botToken = null)
    {
        var environment = new Dictionary<string, string>();
        if (bot)
        {
            environment["SLACK_BOT_TOKEN"] = botToken ?? SlackWorkspace.BotToken;
        }

        if (user)
        {
            environment["SLACK_USER_TOKEN"] = SlackWorkspace.UserToken;
        }

        return environment;
    }

    /// <summary>Clean slate for a test on the shared emulator: no faults, counters at zero.</summary>
    public void Reset()
    {
        Emulator.Faults.Clear();
        Emulator.ResetCounters();
    }
}

/// <summary>
/// The same for one test class alone: what other classes post into the shared workspace never shows in the histories
/// that class checks message by message, whichever order the classes run in.
/// </summary>
public sealed class UntouchedSlackFixture : SlackFixture;

internal static class Calls
{
    public static Task<CallToolResult> CallAsync(this McpClient client, string tool, params (string Name, object? Value)[] arguments) =>
        client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value)).AsTask();

    public static async Task<string> OkAsync(this McpClient client, string tool, params (string Name, object? Value)[] arguments)
    {
        var result = await client.CallAsync(tool, arguments);
        Assert.True(result.IsError != true, result.Text());
        return result.Text();
    }
}
