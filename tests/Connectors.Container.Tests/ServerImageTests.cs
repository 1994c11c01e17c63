namespace Connectors.Container.Tests;

[CollectionDefinition(Name)]
public sealed class ServerContainersCollection : ICollectionFixture<ServerContainers>
{
    public const string Name = "server containers";
}

/// <summary>Each server image as built by eng/images.sh, run the way the pool and the cluster run it.</summary>
[Collection(ServerContainersCollection.Name)]
public sealed class ServerImageTests(ServerContainers containers)
{
    public static TheoryData<string> Servers => [.. Docker.Servers];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_image_becomes_ready_and_answers_readyz_and_healthz(string server)
    {
        Docker.SkipUnlessAvailable();
        var running = containers[server];

        using var ready = await McpHttp.GetAsync(new Uri(running.BaseUrl, "/readyz"));
        using var live = await McpHttp.GetAsync(new Uri(running.BaseUrl, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(running.ReadyAfter < TimeSpan.FromSeconds(30), $"ready after {running.ReadyAfter}");
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_image_refuses_mcp_without_an_api_key(string server)
    {
        Docker.SkipUnlessAvailable();
        var running = containers[server];

        using var anonymous = await McpHttp.ToolsListAsync(running.McpUrl, key: null);
        using var wrongKey = await McpHttp.ToolsListAsync(running.McpUrl, key: "not-the-key-0123456789abcdef");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_image_lists_its_tools_and_answers_a_real_tool_call_with_a_key(string server)
    {
        Docker.SkipUnlessAvailable();
        var running = containers[server];
        var (tool, arguments, expected) = SmokeCall(server);

        await using var client = await McpHttp.ConnectAsync(running.McpUrl, ServerContainers.ApiKey);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains(tools, t => t.Name == tool);
        Assert.True(result.IsError != true, result.Text());
        Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_server_runs_as_uid_1654_on_a_read_only_root_filesystem(string server)
    {
        Docker.SkipUnlessAvailable();
        var container = containers[server].Container;

        // The server process itself (PID 1), not just the image's USER line.
        var status = await container.ExecAsync(["cat", "/proc/1/status"], TestContext.Current.CancellationToken);
        var uids = status.Stdout.Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..];
        var writeApp = await container.ExecAsync(["touch", "/app/written"], TestContext.Current.CancellationToken);
        var writeRoot = await container.ExecAsync(["touch", "/written"], TestContext.Current.CancellationToken);
        var writeTmp = await container.ExecAsync(["touch", "/tmp/written"], TestContext.Current.CancellationToken);
        var inspect = JsonDocument.Parse(Docker.RunOrFail(["inspect", container.Id])).RootElement[0];

        Assert.All(uids, uid => Assert.Equal("1654", uid));
        Assert.NotEqual(0, writeApp.ExitCode);
        Assert.Contains("Read-only file system", writeRoot.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, writeTmp.ExitCode);
        Assert.True(inspect.GetProperty("HostConfig").GetProperty("ReadonlyRootfs").GetBoolean());
        Assert.Equal("app", inspect.GetProperty("Config").GetProperty("User").GetString());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_image_healthcheck_reports_the_container_healthy(string server)
    {
        Docker.SkipUnlessAvailable();
        var container = containers[server].Container;

        var probe = await container.ExecAsync(["/app/server", "healthcheck"], TestContext.Current.CancellationToken);
        var health = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline && health != "healthy"; await Task.Delay(250))
        {
            health = Docker.RunOrFail(["inspect", "--format", "{{.State.Health.Status}}", container.Id]).Trim();
        }

        Assert.Equal(0, probe.ExitCode);
        Assert.Equal("healthy", health);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_image_carries_its_oci_labels_and_its_size_is_reported(string server)
    {
        Docker.SkipUnlessAvailable();
        var image = JsonDocument.Parse(Docker.RunOrFail(["image", "inspect", Docker.ImageOf(server)])).RootElement[0];
        var labels = image.GetProperty("Config").GetProperty("Labels");
        var size = image.GetProperty("Size").GetInt64();
        Measurements.Record($"{Docker.ImageOf(server)}: image size {size / 1e6:F1} MB");

        Assert.Equal($"connectors-{server}", labels.GetProperty("org.opencontainers.image.title").GetString());
        Assert.False(string.IsNullOrEmpty(labels.GetProperty("org.opencontainers.image.version").GetString()));
        Assert.False(string.IsNullOrEmpty(labels.GetProperty("org.opencontainers.image.revision").GetString()));
        Assert.Equal("NOASSERTION", labels.GetProperty("org.opencontainers.image.licenses").GetString());
        Assert.Contains("8080/tcp", image.GetProperty("Config").GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name));
    }

    /// <summary>One tool call per server whose answer can only come from what the container was given.</summary>
    public static (string Tool, Dictionary<string, object?> Arguments, string Expected) SmokeCall(string server) => server switch
    {
        "filesystem" => ("read_text_file", new() { ["path"] = $"/share/{ServerContainers.ShareFile}" }, ServerContainers.ShareText),
        // The pool's sample database, read by its read-only role: 200 customers (deploy/postgres/init.sh).
        "database" => ("query", new() { ["sql"] = "SELECT count(*) AS customers FROM customers", ["format"] = "csv" }, "customers\n200\n"),
        "github" => ("get_me", [], "mona"),
        "slack" => ("list_channels", [], "general"),
        _ => throw new ArgumentOutOfRangeException(nameof(server), server, null),
    };
}
