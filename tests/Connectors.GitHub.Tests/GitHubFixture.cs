namespace Connectors.GitHub.Tests;

/// <summary>One emulator and one real server process over stdio (classic token, sees private repositories), shared by a collection.</summary>
public sealed class GitHubFixture : IAsyncLifetime
{
    public const string Token = "ghp_reader";

    public GitHubEmulator Emulator { get; private set; } = null!;

    public McpClient Client { get; private set; } = null!;

    public List<string> Stderr { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Emulator = await GitHubEmulator.StartAsync();
        Client = await ServerProcess.ConnectStdioAsync(
            "Connectors.GitHub",
            ["--api-url", Emulator.Url.ToString(), "--toolsets", "all"],
            new Dictionary<string, string> { ["GITHUB_TOKEN"] = Token },
            line =>
            {
                lock (Stderr)
                {
                    Stderr.Add(line);
                }
            });
    }

    public async Task<CallToolResult> CallAsync(string tool, object? arguments = null) =>
        await Client.CallToolAsync(tool, ToArguments(arguments));

    /// <summary>Calls a tool and counts the requests GitHub (the emulator) served for it.</summary>
    public async Task<(CallToolResult Result, int Requests)> CallCountingAsync(string tool, object? arguments = null)
    {
        var before = Emulator.RequestsServed;
        var result = await CallAsync(tool, arguments);
        return (result, (int)(Emulator.RequestsServed - before));
    }

    internal static Dictionary<string, object?> ToArguments(object? arguments) => arguments switch
    {
        null => [],
        Dictionary<string, object?> d => d,
        _ => arguments.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(arguments)),
    };

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GitHubCollection : ICollectionFixture<GitHubFixture>
{
    public const string Name = "github server process";
}
