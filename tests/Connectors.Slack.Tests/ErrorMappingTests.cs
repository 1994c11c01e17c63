namespace Connectors.Slack.Tests;

/// <summary>Every class of Slack failure comes back as a stable error code with what to do; faults get their own server process.</summary>
[Collection(SlackCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class ErrorMappingTests(SlackFixture slack)
{
    [Fact]
    public async Task A_channel_the_app_is_not_in_is_permission_denied_with_the_invite_hint()
    {
        slack.Reset();
        var result = await slack.Client.CallAsync("get_channel_history", ("channel", "#random"));
        Assert.Equal("permission_denied", result.ErrorCode());
        Assert.Contains("/invite", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_channel_is_not_found_with_the_invite_hint()
    {
        slack.Reset();
        var byId = await slack.Client.CallAsync("get_channel_history", ("channel", "C0NOPE0001"));
        Assert.Equal("not_found", byId.ErrorCode());
        Assert.Contains("invite it", byId.Text(), StringComparison.Ordinal);

        var byName = await slack.Client.CallAsync("get_channel_history", ("channel", "#no-such-channel"));
        Assert.Equal("not_found", byName.ErrorCode());
        Assert.Contains("list_channels", byName.Text(), StringComparison.Ordinal);

        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("get_channel_history", ("channel", "#general"), ("limit", "3 days"))).ErrorCode());
        Assert.Equal("invalid_argument", (await slack.Client.CallAsync("get_thread_replies", ("channel", "#general"), ("ts", "latest"))).ErrorCode());
    }

    [Fact]
    public async Task An_invalid_or_revoked_token_is_unauthenticated_and_never_echoed()
    {
        slack.Reset();
        const string wrong = "xoxb-not-a-real-token-123";
        await using (var client = await slack.StartAsync([], user: false, botToken: wrong))
        {
            var result = await client.CallAsync("list_channels");
            Assert.Equal("unauthenticated", result.ErrorCode());
            Assert.Contains("invalid_auth", result.Text(), StringComparison.Ordinal);
            Assert.Contains("SLACK_BOT_TOKEN", result.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, result.Text(), StringComparison.Ordinal);
        }

        const string revoked = "xoxb-revoked-token-456";
        slack.Emulator.Workspace.Tokens[revoked] = new EmulatedToken { Value = revoked, IsBot = true, UserId = SlackWorkspace.BotUserId, Revoked = true };
        await using var revokedClient = await slack.StartAsync([], user: false, botToken: revoked);
        var revokedResult = await revokedClient.CallAsync("get_user_profile", ("user", SlackWorkspace.Bob));
        Assert.Equal("unauthenticated", revokedResult.ErrorCode());
        Assert.Contains("token_revoked", revokedResult.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_scope_is_permission_denied_naming_the_scope_slack_needs()
    {
        slack.Reset();
        const string narrow = "xoxb-narrow-token-789";
        var token = new EmulatedToken { Value = narrow, IsBot = true, UserId = SlackWorkspace.BotUserId };
        token.Scopes.UnionWith(SlackWorkspace.BotScopes.Where(s => s != "channels:history"));
        slack.Emulator.Workspace.Tokens[narrow] = token;
        await using var client = await slack.StartAsync([], user: false, botToken: narrow);

        var result = await client.CallAsync("get_channel_history", ("channel", SlackWorkspace.General));

        Assert.Equal("permission_denied", result.ErrorCode());
        Assert.Contains("lacks the scope 'channels:history'", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_on_a_read_is_retried_once_after_retry_after()
    {
        await using var client = await WarmServerAsync([]);
        slack.Emulator.Faults.Add(SlackFaultKind.RateLimited, "conversations.history", times: 1, retryAfterSeconds: 1);

        var text = await client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General));

        Assert.Contains("standup moved", text, StringComparison.Ordinal);
        Assert.Equal(2, slack.Emulator.Calls("conversations.history"));
    }

    [Fact]
    public async Task A_second_429_is_rate_limited_with_retry_after_seconds()
    {
        await using var client = await WarmServerAsync([]);
        slack.Emulator.Faults.Add(SlackFaultKind.RateLimited, "conversations.history", retryAfterSeconds: 1);

        var result = await client.CallAsync("get_channel_history", ("channel", SlackWorkspace.General));

        Assert.Equal("rate_limited", result.ErrorCode());
        Assert.Equal(1, result.ErrorField("retry_after_seconds").GetInt32());
        Assert.True(result.ErrorField("retryable").GetBoolean());
        Assert.Equal(2, slack.Emulator.Calls("conversations.history"));
    }

    [Fact]
    public async Task A_long_retry_after_is_honoured_without_calling_slack_again()
    {
        await using var client = await WarmServerAsync([]);
        slack.Emulator.Faults.Add(SlackFaultKind.RateLimited, "conversations.history", retryAfterSeconds: 120);

        var first = await client.CallAsync("get_channel_history", ("channel", SlackWorkspace.General));
        var second = await client.CallAsync("get_channel_history", ("channel", SlackWorkspace.Ops));

        Assert.Equal("rate_limited", first.ErrorCode());
        Assert.Equal(120, first.ErrorField("retry_after_seconds").GetInt32());
        Assert.Equal("rate_limited", second.ErrorCode());
        Assert.InRange(second.ErrorField("retry_after_seconds").GetInt32(), 100, 120);
        Assert.Equal(1, slack.Emulator.Calls("conversations.history"));
    }

    [Theory]
    [InlineData(SlackFaultKind.ServerError)]
    [InlineData(SlackFaultKind.MalformedJson)]
    [InlineData(SlackFaultKind.ConnectionReset)]
    public async Task A_failing_slack_is_upstream_unavailable_after_one_read_retry(SlackFaultKind fault)
    {
        await using var client = await WarmServerAsync([]);
        slack.Emulator.Faults.Add(fault, "conversations.history");

        var result = await client.CallAsync("get_channel_history", ("channel", SlackWorkspace.General));

        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.Equal(2, slack.Emulator.Calls("conversations.history"));

        slack.Emulator.Faults.Clear();
        Assert.Contains("standup moved", await client.OkAsync("get_channel_history", ("channel", SlackWorkspace.General)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_whose_outcome_is_unknown_is_never_sent_again_under_its_key()
    {
        await using var client = await WarmServerAsync(["--allow-post-channels", SlackWorkspace.General]);
        slack.Emulator.Faults.Add(SlackFaultKind.ConnectionReset, "chat.postMessage", times: 1);

        var lost = await client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Ship it"), ("idempotency_key", "post-1"));
        Assert.Equal("upstream_unavailable", lost.ErrorCode());
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));

        var repeat = await client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Ship it"), ("idempotency_key", "post-1"));
        Assert.Equal("conflict", repeat.ErrorCode());
        Assert.Contains("may have taken effect", repeat.Text(), StringComparison.Ordinal);
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task A_post_past_the_deadline_is_a_timeout_and_not_retried()
    {
        await using var client = await WarmServerAsync(["--allow-post-channels", SlackWorkspace.General, "--tool-timeout", "2"]);
        slack.Emulator.Faults.Add(SlackFaultKind.Latency, "chat.postMessage", times: 1, latency: TimeSpan.FromSeconds(30));

        var slow = await client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Slow"), ("idempotency_key", "slow-1"));
        Assert.Equal("timeout", slow.ErrorCode());

        var repeat = await client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Slow"), ("idempotency_key", "slow-1"));
        Assert.Equal("conflict", repeat.ErrorCode());
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task A_rate_limited_post_is_not_retried_and_its_key_stays_usable()
    {
        await using var client = await WarmServerAsync(["--allow-post-channels", SlackWorkspace.General]);
        slack.Emulator.Faults.Add(SlackFaultKind.RateLimited, "chat.postMessage", times: 1, retryAfterSeconds: 1);

        var limited = await client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Later"), ("idempotency_key", "later-1"));
        Assert.Equal("rate_limited", limited.ErrorCode());
        Assert.Equal(1, slack.Emulator.Calls("chat.postMessage"));

        await WaitUntilAsync(client, () => client.CallAsync("post_message", ("channel", SlackWorkspace.General), ("text", "Later"), ("idempotency_key", "later-1")));
        Assert.Equal(2, slack.Emulator.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task The_emulator_refuses_search_with_a_bot_token_as_slack_does()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, slack.Emulator.Url + "search.messages")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("query", "launch")]),
        };
        request.Headers.Authorization = new("Bearer", SlackWorkspace.BotToken);
        var body = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Equal("""{"ok":false,"error":"not_allowed_token_type"}""", body);
    }

    [Fact]
    public async Task The_emulator_answers_a_profile_read_sent_as_a_get_with_a_json_content_type_and_no_body()
    {
        // What fetch-based clients (the Node reference server the benchmarks compare with) send; Slack accepts it.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, slack.Emulator.Url + "users.profile.get?user=" + SlackWorkspace.Bob)
        {
            Content = new ByteArrayContent([]),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", SlackWorkspace.BotToken);
        using var response = await http.SendAsync(request);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("bobby", body.RootElement.GetProperty("profile").GetProperty("display_name").GetString());
        Assert.Equal("bob@example.com", body.RootElement.GetProperty("profile").GetProperty("email").GetString());
    }

    /// <summary>A fresh server process (no breaker or Retry-After memory) whose channel names are already cached.</summary>
    private async Task<McpClient> WarmServerAsync(string[] args)
    {
        slack.Reset();
        var client = await slack.StartAsync(args);
        await client.OkAsync("list_channels");
        return client;
    }

    /// <summary>Calls until the answer is not rate_limited (Slack's 1 s Retry-After passing), then asserts it succeeded.</summary>
    private static async Task WaitUntilAsync(McpClient client, Func<Task<ModelContextProtocol.Protocol.CallToolResult>> call)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var result = await call();
            if (result.ErrorCode() != "rate_limited")
            {
                Assert.True(result.IsError != true, result.Text());
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail("still rate limited");
    }
}
