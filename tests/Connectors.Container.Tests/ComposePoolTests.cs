namespace Connectors.Container.Tests;

/// <summary>
/// The team pool end to end, through the ports it publishes, as the team's clients reach it: two replicas of each server
/// behind HAProxy, sharing one Redis.
/// </summary>
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
        var replicas = pool.ContainersOf(server);

        Assert.Equal(2, replicas.Count);
        Assert.All(replicas, AssertHardened);
    }

    private static void AssertHardened(string container)
    {
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
        var before = Docker.RunOrFail(["inspect", "--format", "{{.State.StartedAt}}", pool.ContainersOf("database")[0]]).Trim();

        pool.Compose("restart", "database");
        var after = Docker.RunOrFail(["inspect", "--format", "{{.State.StartedAt}}", pool.ContainersOf("database")[0]]).Trim();
        var ready = await McpHttp.WaitForOkAsync(new Uri(pool.BaseUrl("database"), "/readyz"), TimeSpan.FromSeconds(60));
        var (tool, arguments, expected) = ServerImageTests.SmokeCall("database");
        await using var client = await McpHttp.ConnectAsync(pool.McpUrl("database"), ComposePool.ApiKey);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotEqual(before, after);
        Assert.True(ready, "the restarted database server did not answer /readyz");
        Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_through_one_published_port_reach_both_replicas_which_share_the_redis()
    {
        Docker.SkipUnlessAvailable();
        var (tool, arguments, expected) = ServerImageTests.SmokeCall("github");
        var replicas = pool.ContainersOf("github");
        var before = replicas.Select(replica => AuditedCalls(replica, tool)).ToList();

        await using var client = await McpHttp.ConnectAsync(pool.McpUrl("github"), ComposePool.ApiKey);
        for (var i = 0; i < 8; i++)
        {
            var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
        }

        var served = replicas.Select((replica, i) => AuditedCalls(replica, tool) - before[i]).ToList();
        // The per-identity limit's bucket ({connectors:<namespace>:connectors-github:limits}:identity:<hash>): both
        // replicas count the caller's calls in the one Redis.
        var sharedKeys = pool.Compose("exec", "-T", "redis", "redis-cli", "--scan", "--pattern", "*connectors-github:limits*");

        Assert.Equal(8, served.Sum());
        Assert.All(served, calls => Assert.True(calls > 0, $"a replica served none of the 8 calls: {string.Join(", ", served)}"));
        Assert.NotEmpty(sharedKeys.Trim());
    }

    [Fact]
    public async Task With_one_replica_stopped_its_port_still_answers_every_call()
    {
        Docker.SkipUnlessAvailable();
        var (tool, arguments, expected) = ServerImageTests.SmokeCall("slack");
        var stopped = pool.ContainersOf("slack")[0];

        Docker.RunOrFail(["stop", "--time", "10", stopped]);
        try
        {
            await using var client = await McpHttp.ConnectAsync(pool.McpUrl("slack"), ComposePool.ApiKey);
            for (var i = 0; i < 6; i++)
            {
                var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
                Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Docker.RunOrFail(["start", stopped]);
        }
    }

    [Fact]
    public void Without_the_replicas_file_the_pool_is_one_container_a_server_on_its_own_port_without_redis()
    {
        Docker.SkipUnlessAvailable();
        var services = pool.SingleReplicaConfig().GetProperty("services");

        Assert.False(services.TryGetProperty("redis", out _));
        Assert.False(services.TryGetProperty("haproxy", out _));
        Assert.All(Docker.Servers, server =>
        {
            var service = services.GetProperty(server);
            Assert.Equal("8080", service.GetProperty("ports")[0].GetProperty("target").ToString());
            Assert.False(service.GetProperty("environment").TryGetProperty("CONNECTORS_REDIS", out _));
        });
    }

    /// <summary>The tool calls a replica's audit log (its stderr) records for one tool.</summary>
    private static int AuditedCalls(string container, string tool)
    {
        var (_, stdout, stderr) = Docker.Run(["logs", container]);
        return (stdout + stderr).Split('\n').Count(line =>
            line.Contains("\"audit\":\"tool_call\"", StringComparison.Ordinal) && line.Contains($"\"tool\":\"{tool}\"", StringComparison.Ordinal));
    }
}
