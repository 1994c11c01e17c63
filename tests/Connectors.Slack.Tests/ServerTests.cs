using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.Slack.Tests;

/// <summary>Start-up configuration, HTTP transport, doctor checks, the tool-list contract, and the measured figures.</summary>
[Collection(SlackCollection.Name)]
public sealed class ServerTests(SlackFixture slack, ITestOutputHelper output)
{
    [Fact]
    public async Task The_tool_list_matches_the_reviewed_snapshot()
    {
        var (expected, actual) = await ToolSchemaSnapshot.ReadAsync(slack.Client, "Connectors.Slack.Tests");
        Assert.NotNull(expected);
        Assert.Equal(expected, actual);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task The_default_tool_list_a_model_sees_stays_within_8_kilobytes()
    {
        await using var readOnly = await slack.StartAsync([], user: false);
        var byDefault = await ToolSchemaSnapshot.ModelVisibleBytesAsync(readOnly);
        var everything = await ToolSchemaSnapshot.ModelVisibleBytesAsync(slack.Client);
        output.WriteLine($"tools/list a model sees: {byDefault:N0} bytes by default, {everything:N0} with search and posting");
        Assert.True(byDefault <= 8 * 1024, $"{byDefault} bytes by default");
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task Without_a_token_the_server_refuses_to_start_and_says_which_variables_to_set()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync(SlackFixture.Project, []);
        Assert.Equal(2, exitCode);
        Assert.Contains("SLACK_BOT_TOKEN", stderr, StringComparison.Ordinal);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task A_token_of_the_wrong_kind_or_a_bad_channel_list_stops_start_up_without_echoing_the_token()
    {
        const string userTokenAsBot = "xoxp-this-is-a-user-token-555";
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(SlackFixture.Project, [], new Dictionary<string, string> { ["SLACK_BOT_TOKEN"] = userTokenAsBot });
        Assert.Equal(2, exitCode);
        Assert.Contains("starts with 'xoxb-'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(userTokenAsBot, stderr + stdout, StringComparison.Ordinal);

        var (badListExit, _, badListErr) = await ServerProcess.RunToExitAsync(SlackFixture.Project, ["--allow-post-channels", "general"], SlackFixture.Environment());
        Assert.Equal(2, badListExit);
        Assert.Contains("channel IDs such as C0123ABCD", badListErr, StringComparison.Ordinal);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task Help_names_the_token_variables_as_secrets_and_never_shows_their_values()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(SlackFixture.Project, ["--help"], SlackFixture.Environment());
        Assert.Equal(0, exitCode);
        Assert.Contains("SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE; secret", stdout, StringComparison.Ordinal);
        Assert.Contains("--allow-post-channels", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackWorkspace.BotToken, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SlackWorkspace.UserToken, stdout, StringComparison.Ordinal);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task The_server_answers_over_streamable_http()
    {
        slack.Reset();
        await using var server = await ServerProcess.StartHttpAsync(SlackFixture.Project, ["--api-url", slack.Emulator.Url], SlackFixture.Environment());
        await using var client = await server.ConnectHttpAsync();
        var text = await client.OkAsync("get_channel_history", ("channel", "#ops"), ("limit", "5"));
        Assert.Contains("Incident review: disk filled on db-2, fixed by @Alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain(server.StderrLines, line => line.Contains(SlackWorkspace.BotToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_checks_report_team_user_and_missing_scopes_for_each_token()
    {
        const string narrow = "xoxb-doctor-narrow-321";
        var token = new EmulatedToken { Value = narrow, IsBot = true, UserId = SlackWorkspace.BotUserId };
        token.Scopes.UnionWith(["channels:read", "channels:history", "users:read"]);
        slack.Emulator.Workspace.Tokens[narrow] = token;

        await using (var good = await InMemoryMcp.StartAsync(SlackServer.Create(), ["--api-url", slack.Emulator.Url, "--allow-post-channels", "*"], SlackFixture.Environment()))
        {
            var results = await RunChecksAsync(good.Services);
            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Result.Status));
            Assert.Contains("connectors (U0APPBOT01) in Emulated Team (T0EMULATE1)", results[0].Result.Description, StringComparison.Ordinal);
        }

        await using (var posting = await InMemoryMcp.StartAsync(SlackServer.Create(), ["--api-url", slack.Emulator.Url, "--allow-post-channels", "*"], SlackFixture.Environment(user: false, botToken: narrow)))
        {
            var result = Assert.Single(await RunChecksAsync(posting.Services)).Result;
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("missing scopes the enabled tools need: chat:write, reactions:write", result.Description, StringComparison.Ordinal);
        }

        await using var reading = await InMemoryMcp.StartAsync(SlackServer.Create(), ["--api-url", slack.Emulator.Url], SlackFixture.Environment(user: false, botToken: narrow));
        var readOnly = Assert.Single(await RunChecksAsync(reading.Services)).Result;
        Assert.Equal(HealthStatus.Degraded, readOnly.Status);
        Assert.Contains("groups:read", readOnly.Description, StringComparison.Ordinal);

        await using var wrong = await InMemoryMcp.StartAsync(SlackServer.Create(), ["--api-url", slack.Emulator.Url], SlackFixture.Environment(user: false, botToken: "xoxb-unknown-000"));
        var failed = Assert.Single(await RunChecksAsync(wrong.Services)).Result;
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Contains("invalid_auth", failed.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("xoxb-unknown-000", failed.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_list_bytes_with_and_without_posting()
    {
        await using var readOnly = await slack.StartAsync([], user: false);
        var readBytes = await ToolsListBytesAsync(readOnly);
        var allBytes = await ToolsListBytesAsync(slack.Client);
        output.WriteLine($"FIGURE tools/list bytes: bot token only, reads = {readBytes}; bot + user tokens with posting = {allBytes}");
        Assert.True(allBytes > readBytes);
        Assert.InRange(allBytes, 1, 16_384);
    }

    [Fact]
    public async Task A_realistic_session_with_a_warm_cache_costs_one_slack_call_per_tool_call()
    {
        // A workspace of its own: the shared one keeps what other tests posted, and a bot message already in #general
        // would introduce the bot user before this session's own post does (it did once the posting tests ran first).
        await using var emulator = await SlackEmulator.StartAsync();
        await using var client = await slack.StartAsync(["--allow-post-channels", SlackWorkspace.Ops], emulator: emulator);
        var session = new (string Tool, (string, object?)[] Args)[]
        {
            ("list_channels", []),
            ("get_channel_history", [("channel", "#general"), ("limit", "1d")]),
            ("get_user_profile", [("user", "@bobby")]),
            ("search_messages", [("query", "launch")]),
            ("get_channel_history", [("channel", "#ops")]),
            ("post_message", [("channel", "#ops"), ("text", "On it")]),
            ("get_channel_history", [("channel", "#general"), ("limit", "1d")]),
            ("get_channel_history", [("channel", "#ops")]),
            ("get_user_profile", [("user", "@bobby")]),
            ("get_user_profile", [("user", SlackWorkspace.Carol)]),
        };

        var costs = new List<int>();
        foreach (var (tool, args) in session)
        {
            var before = emulator.TotalCalls;
            await client.OkAsync(tool, args);
            costs.Add(emulator.TotalCalls - before);
            output.WriteLine($"FIGURE {tool}({string.Join(", ", args.Select(a => $"{a.Item1}={a.Item2}"))}): {costs[^1]} Slack call(s)");
        }

        output.WriteLine($"FIGURE session: {session.Length} tool calls, {costs.Sum()} Slack calls; " + string.Join(", ", emulator.CallCounts.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(1, costs[6]);
        // The history itself, plus one users.info for the message's new author (the app's own bot user, first seen here).
        Assert.Equal(2, costs[7]);
        Assert.Equal(0, costs[8]);
        Assert.Equal(0, costs[9]);
        Assert.Equal(0, emulator.RateLimitedResponses);
    }

    [Fact]
    public async Task Under_a_429_storm_the_server_stops_calling_slack_and_refuses_locally()
    {
        slack.Reset();
        await using var client = await slack.StartAsync([]);
        await client.OkAsync("list_channels");
        slack.Emulator.ResetCounters();
        slack.Emulator.Faults.Add(SlackFaultKind.RateLimited, "conversations.history", retryAfterSeconds: 60);

        var refused = 0;
        for (var i = 0; i < 30; i++)
        {
            var result = await client.CallAsync("get_channel_history", ("channel", i % 2 == 0 ? SlackWorkspace.General : SlackWorkspace.Ops));
            refused += result.ErrorCode() == "rate_limited" ? 1 : 0;
        }

        output.WriteLine($"FIGURE 429 storm: 30 tool calls, {slack.Emulator.Calls("conversations.history")} reached Slack, {refused} answered rate_limited, {slack.Emulator.RateLimitedResponses} 429s served");
        Assert.Equal(30, refused);
        Assert.Equal(1, slack.Emulator.Calls("conversations.history"));
    }

    [Fact]
    public async Task A_burst_of_reads_is_paced_by_the_tier_budget_and_never_draws_a_429()
    {
        slack.Reset();
        await using var client = await slack.StartAsync(["--tool-timeout", "10"]);
        await client.OkAsync("list_channels");
        slack.Emulator.ResetCounters();

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.CallAsync("get_channel_history", ("channel", SlackWorkspace.Ops), ("limit", "1"))));

        var served = results.Count(r => r.IsError != true);
        var refused = results.Count(r => r.ErrorCode() == "rate_limited");
        output.WriteLine($"FIGURE burst: 40 concurrent reads (Tier 3), {served} served, {refused} refused locally as rate_limited, {slack.Emulator.RateLimitedResponses} 429s from Slack");
        Assert.Equal(40, served + refused);
        Assert.InRange(served, 12, 40);
        Assert.Equal(0, slack.Emulator.RateLimitedResponses);
    }

    private static async Task<List<(string Name, HealthReportEntry Result)>> RunChecksAsync(IServiceProvider services) =>
        [.. (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries.Select(e => (e.Key, e.Value))];

    private static async Task<int> ToolsListBytesAsync(McpClient client)
    {
        var tools = await client.ListToolsAsync();
        return JsonSerializer.SerializeToUtf8Bytes(tools.Select(t => t.ProtocolTool).ToList(), ModelContextProtocol.McpJsonUtilities.DefaultOptions).Length;
    }
}
