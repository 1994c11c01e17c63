namespace Connectors.Hosting.Tests.Security;

public sealed class ToolKillSwitchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("connectors-killswitch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task WaitForToolsAsync(InMemoryMcp mcp, Func<IReadOnlyList<string>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition([.. (await mcp.Client.ListToolsAsync()).Select(t => t.Name)]))
        {
            Assert.True(DateTime.UtcNow < deadline, "the config change was not picked up in time");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_tool_added_to_denyTools_in_the_config_file_disappears_and_refuses_calls_without_a_restart()
    {
        var config = Path.Combine(_dir, "connectors.json");
        await File.WriteAllTextAsync(config, """{ "denyTools": ["write_note"] }""");
        await using var mcp = await InMemoryMcp.StartAsync(TestServer.TestServer.Create(), ["--config", config]);
        await WaitForToolsAsync(mcp, names => names.Contains("echo") && !names.Contains("write_note"));
        Assert.Equal("permission_denied", (await mcp.CallAsync("write_note", new { text = "x" })).ErrorCode());

        await File.WriteAllTextAsync(config, """{ "denyTools": ["echo"] }""");
        await WaitForToolsAsync(mcp, names => !names.Contains("echo") && names.Contains("write_note"));
        var refused = await mcp.CallAsync("echo", new { text = "x" });
        Assert.Equal("permission_denied", refused.ErrorCode());
        Assert.Contains("switched off", refused.Text(), StringComparison.Ordinal);
        Assert.Equal("wrote 1 chars", (await mcp.CallAsync("write_note", new { text = "x" })).Text());

        // A broken file keeps the last good list in force.
        await File.WriteAllTextAsync(config, """{ "denyTools": [""");
        await HttpTransportTests.WaitUntilAsync(() => mcp.Logs.Contains("could not be re-read", StringComparison.Ordinal), seconds: 60);
        Assert.Equal("permission_denied", (await mcp.CallAsync("echo", new { text = "x" })).ErrorCode());

        await File.WriteAllTextAsync(config, """{ "denyTools": [] }""");
        await WaitForToolsAsync(mcp, names => names.Contains("echo"));
        Assert.Equal("x", (await mcp.CallAsync("echo", new { text = "x" })).Text());
    }

    [Fact]
    public async Task Connected_clients_are_told_the_tool_list_changed_and_its_cache_lifetime_is_short_while_the_file_reloads()
    {
        var config = Path.Combine(_dir, "connectors.json");
        await File.WriteAllTextAsync(config, """{ "denyTools": [] }""");
        // A client of the initialize handshake (2025-11-25) gets the session-wide notification; 2026-07-28 clients ask for
        // it with subscriptions/listen, which the SDK serves.
        await using var mcp = await InMemoryMcp.StartAsync(TestServer.TestServer.Create(), ["--config", config],
            clientOptions: new McpClientOptions { ProtocolVersion = "2025-11-25" });
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = mcp.Client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            changed.TrySetResult();
            return ValueTask.CompletedTask;
        });
        var before = await mcp.Client.ListToolsAsync(new ListToolsRequestParams(), TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(30), before.TimeToLive);
        Assert.Equal(CacheScope.Public, before.CacheScope);
        Assert.True(mcp.Client.ServerCapabilities.Tools?.ListChanged);

        await File.WriteAllTextAsync(config, """{ "denyTools": ["echo"] }""");
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("echo", (await mcp.Client.ListToolsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task A_tool_list_that_cannot_change_may_be_cached_by_anyone_for_ten_minutes()
    {
        await using var mcp = await InMemoryMcp.StartAsync(TestServer.TestServer.Create(), []);
        var result = await mcp.Client.ListToolsAsync(new ListToolsRequestParams(), TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromMinutes(10), result.TimeToLive);
        Assert.Equal(CacheScope.Public, result.CacheScope);
    }

    [Fact]
    public async Task A_deny_list_from_the_command_line_is_not_overridden_by_the_config_file()
    {
        var config = Path.Combine(_dir, "connectors.json");
        await File.WriteAllTextAsync(config, """{ "tools": { "deny": [] } }""");
        await using var mcp = await InMemoryMcp.StartAsync(TestServer.TestServer.Create(), ["--config", config, "--deny-tools", "echo"]);
        Assert.DoesNotContain("echo", (await mcp.Client.ListToolsAsync()).Select(t => t.Name));
    }
}
