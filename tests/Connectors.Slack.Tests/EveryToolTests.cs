using static Connectors.Testing.ToolSweep;

namespace Connectors.Slack.Tests;

/// <summary>
/// Every tool of the Slack server (posting allowed in #ops) called over stdio, over HTTP with an API key and over HTTP with a JWT against its
/// own emulator, with the posting guard's refusals and doctor/healthcheck: what eng/test.sh runs again against the
/// published Native AOT server.
/// </summary>
[Trait("Category", "ServerProcess")]
public sealed class EveryToolTests : IAsyncLifetime
{
    private SlackEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await SlackEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    // The default log level: the HTTP start waits for the "Listening on" information line.
    private string[] Args => ["--api-url", _emulator.Url, "--allow-post-channels", SlackWorkspace.Ops];

    private static Dictionary<string, object?> A(params (string Name, object? Value)[] arguments) => arguments.ToDictionary(a => a.Name, a => a.Value);

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Every_tool_answers(string transport)
    {
        var launch = LaunchTs();
        await using var server = await ConnectedServer.StartAsync(transport, SlackFixture.Project, Args, SlackFixture.Environment());

        // The posting tools write into #ops, the one channel allowed; a reply and a reaction need a message there first.
        var ts = await PostAsync(server);

        await CallEveryToolAsync(server.Client, EveryCall(launch, ts));
    }

    private string LaunchTs()
    {
        lock (_emulator.Workspace.Gate)
        {
            return _emulator.Workspace.Channel(SlackWorkspace.General).Messages.Single(m => m.Text.StartsWith("Launch plan", StringComparison.Ordinal)).Ts;
        }
    }

    /// <summary>Posts into #ops (the one channel allowed) and returns the message's ts: a reply and a reaction need a message there.</summary>
    private static async Task<string> PostAsync(ConnectedServer server)
    {
        var post = await server.Client.CallToolAsync("post_message", A(("channel", "#ops"), ("text", "Swept")));
        Assert.True(post.IsError != true, post.Text());
        return post.Text().Split("ts=")[1].Split(' ')[0].TrimEnd('.');
    }

    /// <summary>Each tool once, with what its answer must contain.</summary>
    private static List<Call> EveryCall(string launch, string ts) =>
    [
        new("list_channels", A(), $"#general ({SlackWorkspace.General}) public, member"),
        new("get_channel_history", A(("channel", "#general")), "Launch plan"),
        new("get_thread_replies", A(("channel", "#general"), ("ts", launch)), "Designs are ready"),
        new("list_users", A(), $"@alice ({SlackWorkspace.Alice})"),
        new("get_user_profile", A(("user", SlackWorkspace.Bob)), "Email: bob@example.com"),
        new("search_messages", A(("query", "launch in:#general"), ("sort", "timestamp")), "#general"),
        new("post_message", A(("channel", "#ops"), ("text", "Swept again")), "ts="),
        new("reply_to_thread", A(("channel", "#ops"), ("thread_ts", ts), ("text", "Mitigated")), $"Replied in thread {ts} in #ops"),
        new("add_reaction", A(("channel", "#ops"), ("ts", ts), ("name", "white_check_mark")), "Added :white_check_mark:"),
    ];

    [Fact]
    public async Task The_typescript_client_validates_every_typed_answer_against_its_output_schema()
    {
        string ts;
        await using (var poster = await ConnectedServer.StartAsync(ConnectedServer.Stdio, SlackFixture.Project, Args, SlackFixture.Environment()))
        {
            ts = await PostAsync(poster);
        }

        var typed = await CallEveryToolWithTypeScriptClientAsync(SlackFixture.Project, Args, SlackFixture.Environment(), EveryCall(LaunchTs(), ts),
        [
            new("get_user_profile", A(("user", "nobody@example.com")), "not_found"),
            new("get_channel_history", A(("channel", "#general"), ("limit", "-3")), "invalid_argument"),
        ]);

        Assert.Equal(["get_channel_history", "get_thread_replies", "get_user_profile", "list_channels", "list_users", "search_messages"], typed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Posting_outside_the_allowed_channels_and_bad_arguments_are_refused(string transport)
    {
        await using var server = await ConnectedServer.StartAsync(transport, SlackFixture.Project, Args, SlackFixture.Environment());
        var posts = _emulator.PostRequests.Count;

        await RefusedAsync(server.Client, "post_message", A(("channel", "#general"), ("text", "not here")), "permission_denied");
        await RefusedAsync(server.Client, "post_message", A(("channel", "#ops"), ("text", "  ")), "invalid_argument");
        await RefusedAsync(server.Client, "post_message", A(("channel", "#ops"), ("text", new string('x', 40_001))), "invalid_argument");
        await RefusedAsync(server.Client, "get_user_profile", A(("user", "nobody@example.com")), "not_found");
        Assert.Equal(posts, _emulator.PostRequests.Count);
    }

    [Fact]
    public async Task Doctor_passes_and_healthcheck_probes_the_running_server()
    {
        var (doctorExit, doctor, _) = await ServerProcess.RunToExitAsync(SlackFixture.Project, ["doctor", .. Args], SlackFixture.Environment());
        Assert.True(doctorExit == 0, doctor);
        Assert.Contains("doctor: ready to serve", doctor, StringComparison.Ordinal);

        await using var server = await ServerProcess.StartHttpAsync(SlackFixture.Project, Args, SlackFixture.Environment());
        var (healthExit, _, healthErr) = await ServerProcess.RunToExitAsync(SlackFixture.Project, ["healthcheck", "--url", new Uri(server.BaseUrl, "/healthz").ToString()]);
        Assert.True(healthExit == 0, healthErr);
    }
}
