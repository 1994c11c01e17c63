namespace Connectors.Container.Tests;

/// <summary>The team pool end to end, through the ports it publishes, as the team's clients reach it.</summary>
[Collection(ComposePoolCollection.Name)]
public sealed class ComposePoolTests(ComposePool pool)
{
    public static TheoryData<string> Servers => [.. Docker.Servers];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Every_server_of_the_pool_answers_a_real_tool_call_through_its_published_port(string server)
    {
        Docker.SkipUnlessAvailable();
        var (tool, arguments, expected) = ServerImageTests.SmokeCall(server);

        await using var client = await McpHttp.ConnectAsync(pool.McpUrl(server), ComposePool.ApiKey);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.IsError != true, result.Text());
        Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Every_server_of_the_pool_answers_401_without_a_key(string server)
    {
        Docker.SkipUnlessAvailable();

        using var anonymous = await McpHttp.ToolsListAsync(pool.McpUrl(server), key: null);
        using var keyed = await McpHttp.ToolsListAsync(pool.McpUrl(server), ComposePool.ApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Every_server_of_the_pool_answers_403_to_a_foreign_origin_even_with_a_key(string server)
    {
        Docker.SkipUnlessAvailable();

        using var foreign = await McpHttp.ToolsListAsync(pool.McpUrl(server), ComposePool.ApiKey, origin: "http://attacker.example");

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void Every_server_of_the_pool_runs_as_uid_1654_read_only_without_capabilities(string server)
    {
        Docker.SkipUnlessAvailable();
        var container = pool.ContainerOf(server);

        var inspect = JsonDocument.Parse(Docker.RunOrFail(["inspect", container])).RootElement[0];
        var host = inspect.GetProperty("HostConfig");
        var uids = Docker.RunOrFail(["exec", container, "cat", "/proc/1/status"]).Split('\n')
            .Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];

        Assert.All(uids, uid => Assert.Equal("1654", uid));
        Assert.True(host.GetProperty("ReadonlyRootfs").GetBoolean());
        Assert.Contains("ALL", host.GetProperty("CapDrop").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("no-new-privileges:true", host.GetProperty("SecurityOpt").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task A_restarted_service_answers_again()
    {
        Docker.SkipUnlessAvailable();
        var before = Docker.RunOrFail(["inspect", "--format", "{{.State.StartedAt}}", pool.ContainerOf("database")]).Trim();

        pool.Compose("restart", "database");
        var after = Docker.RunOrFail(["inspect", "--format", "{{.State.StartedAt}}", pool.ContainerOf("database")]).Trim();
        var ready = await McpHttp.WaitForOkAsync(new Uri(pool.BaseUrl("database"), "/readyz"), TimeSpan.FromSeconds(60));
        var (tool, arguments, expected) = ServerImageTests.SmokeCall("database");
        await using var client = await McpHttp.ConnectAsync(pool.McpUrl("database"), ComposePool.ApiKey);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotEqual(before, after);
        Assert.True(ready, "the restarted database server did not answer /readyz");
        Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
    }
}
