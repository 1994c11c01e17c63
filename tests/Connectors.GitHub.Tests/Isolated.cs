namespace Connectors.GitHub.Tests;

/// <summary>A fresh emulator and an in-process server (fresh cache, budgets and circuit breaker) for tests that change either.</summary>
internal sealed class Isolated : IAsyncDisposable
{
    private Isolated(GitHubEmulator emulator, InMemoryMcp mcp)
    {
        Emulator = emulator;
        Mcp = mcp;
    }

    public GitHubEmulator Emulator { get; }

    public InMemoryMcp Mcp { get; }

    public static Task<Isolated> StartAsync(string token = GitHubFixture.Token, string[]? args = null) =>
        StartAsync(_ => new Dictionary<string, string> { ["GITHUB_TOKEN"] = token }, args);

    /// <summary>Starts with an environment made once the emulator runs (e.g. after registering a GitHub App).</summary>
    public static async Task<Isolated> StartAsync(Func<GitHubEmulator, Dictionary<string, string>> environment, string[]? args = null)
    {
        var emulator = await GitHubEmulator.StartAsync();
        var mcp = await InMemoryMcp.StartAsync(GitHubServer.Create(), ["--api-url", emulator.Url.ToString(), .. args ?? []], environment(emulator));
        return new Isolated(emulator, mcp);
    }

    public Task<ModelContextProtocol.Protocol.CallToolResult> CallAsync(string tool, object? arguments = null) => Mcp.CallAsync(tool, GitHubFixture.ToArguments(arguments));

    public int Count(string method, string pathPrefix) =>
        Emulator.Requests.Count(r => r.StartsWith($"{method} {pathPrefix}", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Mcp.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
