using Connectors.Testing.GitHub;

namespace Connectors.Resilience.Tests;

/// <summary>
/// The GitHub server as a real process over HTTP against the emulator: each way GitHub fails maps to its documented
/// error (servers/Connectors.GitHub/README.md, Errors and Retries) after the documented retries (two, for reads on
/// 502/503/504, resets and garbled JSON), writes are never repeated, and the same process serves normally after every
/// fault.
/// </summary>
public sealed class GitHubFaultTests(GitHubFaultTests.Upstream github) : IClassFixture<GitHubFaultTests.Upstream>
{
    private const string IssuesPath = "/repos/octo-org/widgets/issues";
    private static readonly object Widgets = new { repo = "octo-org/widgets" };

    [Theory]
    [InlineData(GitHubFaultKind.ServerError, 503, "upstream_unavailable", 3)]
    [InlineData(GitHubFaultKind.ServerError, 500, "upstream_unavailable", 1)]
    [InlineData(GitHubFaultKind.SecondaryRateLimit, 429, "rate_limited", 1)]
    [InlineData(GitHubFaultKind.SecondaryRateLimit, 403, "rate_limited", 1)]
    [InlineData(GitHubFaultKind.MalformedJson, 200, "upstream_unavailable", 3)]
    [InlineData(GitHubFaultKind.ConnectionReset, 0, "upstream_unavailable", 3)]
    [InlineData(GitHubFaultKind.Latency, 200, "timeout", 1)]
    public async Task A_failing_read_maps_to_its_documented_error_and_the_server_serves_after_it(GitHubFaultKind kind, int status, string code, int requests)
    {
        github.Emulator.ClearFaults();
        var before = github.Requests("GET", IssuesPath);
        // Past the server's 5 s tool deadline; the emulator stops waiting when the server hangs up.
        github.Emulator.InjectFault(new GitHubFault
        {
            Kind = kind, Status = status, RetryAfterSeconds = 7, Delay = TimeSpan.FromMinutes(2), Method = "GET", PathContains = IssuesPath, Times = 100,
        });

        var result = (await github.CallAsync("list_issues", Widgets)).Answered;

        Assert.Equal(code, result.ErrorCode());
        Assert.Equal(before + requests, github.Requests("GET", IssuesPath));
        if (code == "rate_limited")
        {
            Assert.Equal(7, result.ErrorField("retry_after_seconds").GetInt32());
        }
        else if (code == "upstream_unavailable")
        {
            Assert.True(result.ErrorField("retryable").GetBoolean());
        }

        github.Emulator.ClearFaults();
        await McpHttp.AssertServesAsync(github.Http, github.Server, "list_issues", Widgets);
        Assert.Contains("Widgets for everyone", (await McpHttp.AssertServesAsync(github.Http, github.Server, "get_repository", Widgets)).Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GitHubFaultKind.ServerError, 502)]
    [InlineData(GitHubFaultKind.ServerError, 503)]
    [InlineData(GitHubFaultKind.ConnectionReset, 0)]
    public async Task A_write_that_fails_in_transit_is_sent_once_and_says_its_outcome_is_unknown(GitHubFaultKind kind, int status)
    {
        github.Emulator.ClearFaults();
        github.Emulator.InjectFault(new GitHubFault { Kind = kind, Status = status, Method = "POST", PathContains = IssuesPath, Times = 100 });
        var before = github.Requests("POST", IssuesPath);

        var result = (await github.CallAsync("create_issue", new { repo = "octo-org/widgets", title = $"sent once ({kind} {status})" })).Answered;

        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.Contains("may or may not have been made", result.Text(), StringComparison.Ordinal);
        Assert.Equal(before + 1, github.Requests("POST", IssuesPath));

        github.Emulator.ClearFaults();
        await McpHttp.AssertServesAsync(github.Http, github.Server, "get_repository", Widgets);
    }

    public sealed class Upstream : EmulatedUpstream<GitHubEmulator>
    {
        /// <summary>Requests the emulator received with this method on exactly this path (any query string).</summary>
        public int Requests(string method, string path) =>
            Emulator.Requests.Count(r => r == $"{method} {path}" || r.StartsWith($"{method} {path}?", StringComparison.Ordinal));

        protected override Task<GitHubEmulator> StartEmulatorAsync() => GitHubEmulator.StartAsync();

        protected override Task<ServerProcess> StartServerAsync(GitHubEmulator emulator) =>
            ServerProcess.StartHttpAsync("Connectors.GitHub", ["--api-url", emulator.Url.ToString(), "--tool-timeout", "5"],
                new Dictionary<string, string> { ["GITHUB_TOKEN"] = "ghp_reader" });
    }
}
