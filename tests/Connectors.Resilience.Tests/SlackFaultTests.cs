using Connectors.Testing.Slack;

namespace Connectors.Resilience.Tests;

/// <summary>
/// The Slack server as a real process over HTTP against the emulator: each way Slack fails maps to its documented error
/// (servers/Connectors.Slack/README.md, Errors) after the documented retries (one, for reads), posts are never repeated,
/// and the same process serves normally after every fault.
/// </summary>
public sealed class SlackFaultTests(SlackFaultTests.Upstream slack) : IClassFixture<SlackFaultTests.Upstream>
{
    private static readonly object History = new { channel = SlackWorkspace.General };

    [Theory]
    [InlineData(SlackFaultKind.ServerError, "upstream_unavailable", 2)]
    [InlineData(SlackFaultKind.MalformedJson, "upstream_unavailable", 2)]
    [InlineData(SlackFaultKind.ConnectionReset, "upstream_unavailable", 2)]
    [InlineData(SlackFaultKind.RateLimited, "rate_limited", 2)]
    [InlineData(SlackFaultKind.Latency, "timeout", 1)]
    public async Task A_failing_read_maps_to_its_documented_error_and_the_server_serves_after_it(SlackFaultKind kind, string code, int requests)
    {
        slack.Emulator.Faults.Clear();
        var before = slack.Emulator.Calls("conversations.history");
        // Latency past the server's 5 s tool deadline (the emulator stops waiting when the server hangs up); a 429 on every try.
        slack.Emulator.Faults.Add(kind, "conversations.history", latency: TimeSpan.FromMinutes(2), retryAfterSeconds: 1);

        var result = (await slack.CallAsync("get_channel_history", History)).Answered;

        Assert.Equal(code, result.ErrorCode());
        Assert.Equal(before + requests, slack.Emulator.Calls("conversations.history"));
        if (code == "rate_limited")
        {
            Assert.Equal(1, result.ErrorField("retry_after_seconds").GetInt32());
        }
        else if (code == "upstream_unavailable")
        {
            Assert.True(result.ErrorField("retryable").GetBoolean());
        }

        slack.Emulator.Faults.Clear();
        Assert.Contains("standup moved", (await McpHttp.AssertServesAsync(slack.Http, slack.Server, "get_channel_history", History)).Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SlackFaultKind.ServerError)]
    [InlineData(SlackFaultKind.ConnectionReset)]
    public async Task A_post_that_fails_in_transit_is_sent_once_and_answers_upstream_unavailable(SlackFaultKind kind)
    {
        slack.Emulator.Faults.Clear();
        slack.Emulator.Faults.Add(kind, "chat.postMessage");
        var before = slack.Emulator.Calls("chat.postMessage");

        var result = (await slack.CallAsync("post_message", new { channel = SlackWorkspace.General, text = $"sent once ({kind})" })).Answered;

        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.Contains("may or may not", result.Text(), StringComparison.Ordinal);
        Assert.Equal(before + 1, slack.Emulator.Calls("chat.postMessage"));

        slack.Emulator.Faults.Clear();
        await McpHttp.AssertServesAsync(slack.Http, slack.Server, "get_channel_history", History);
    }

    public sealed class Upstream : EmulatedUpstream<SlackEmulator>
    {
        protected override Task<SlackEmulator> StartEmulatorAsync() => SlackEmulator.StartAsync();

        protected override Task<ServerProcess> StartServerAsync(SlackEmulator emulator) =>
            ServerProcess.StartHttpAsync("Connectors.Slack",
                ["--api-url", emulator.Url, "--tool-timeout", "5", "--allow-post-channels", SlackWorkspace.General],
                new Dictionary<string, string> { ["SLACK_BOT_TOKEN"] = SlackWorkspace.BotToken, ["SLACK_USER_TOKEN"] = SlackWorkspace.UserToken });
    }
}
