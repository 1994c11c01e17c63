using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.GitHub.Tests;

/// <summary>Credentials (PAT, GitHub App), start-up refusals, the doctor check and the HTTP transport.</summary>
public sealed class StartupAndTransportTests : IDisposable
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"github-app-{Guid.NewGuid():N}.pem");

    public void Dispose() => File.Delete(_keyFile);

    /// <summary>
    /// The server as GitHub App <paramref name="appId"/>: <paramref name="privateKey"/> is the key file it is given, and the
    /// emulator knows the public half of <paramref name="registeredKey"/> (a different key is a key GitHub does not know).
    /// </summary>
    private async Task<Isolated> StartAsAppAsync(
        RSA privateKey, RSA registeredKey, string appId, long installation, Action<EmulatedApp>? configure = null)
    {
        await File.WriteAllTextAsync(_keyFile, privateKey.ExportRSAPrivateKeyPem());
        return await Isolated.StartAsync(emulator =>
        {
            configure?.Invoke(emulator.RegisterApp(appId, RSA.Create(registeredKey.ExportParameters(false)), installation));
            return new()
            {
                ["GITHUB_APP_ID"] = appId,
                ["GITHUB_APP_INSTALLATION_ID"] = installation.ToString(CultureInfo.InvariantCulture),
                ["GITHUB_APP_PRIVATE_KEY_FILE"] = _keyFile,
            };
        });
    }

    [Fact]
    public async Task A_github_app_signs_a_jwt_the_emulator_verifies_and_caches_the_installation_token()
    {
        using var key = RSA.Create(2048);
        EmulatedApp? app = null;
        await using var github = await StartAsAppAsync(key, key, "4242", 77, registered => app = registered);

        Assert.Contains("Credential: GitHub App 4242, installation 77", (await github.CallAsync("get_me")).Ok(), StringComparison.Ordinal);
        Assert.Contains("Steps:", (await github.CallAsync("get_issue", new { repo = "octo-org/widgets", issue_number = 1 })).Ok(), StringComparison.Ordinal);
        Assert.Equal(1, app!.TokensMinted);
        Assert.DoesNotContain("PRIVATE KEY", github.Mcp.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_installation_token_close_to_expiry_is_exchanged_again()
    {
        using var key = RSA.Create(2048);
        EmulatedApp? app = null;
        await using var github = await StartAsAppAsync(key, key, "4243", 78, registered =>
        {
            app = registered;
            registered.TokenLifetime = TimeSpan.FromMinutes(4); // inside the five-minute refresh margin
        });

        (await github.CallAsync("get_me")).Ok();
        (await github.CallAsync("get_me")).Ok();
        Assert.Equal(2, app!.TokensMinted);
    }

    [Fact]
    public async Task An_app_key_github_does_not_know_is_unauthenticated()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        await using var github = await StartAsAppAsync(other, key, "4244", 79);

        Assert.Equal("unauthenticated", (await github.CallAsync("get_me")).ErrorCode());
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task Without_a_credential_the_server_refuses_to_start_with_exit_code_2()
    {
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.GitHub", [], new Dictionary<string, string> { ["GITHUB_TOKEN"] = "" });
        Assert.Equal(2, exit);
        Assert.Contains("No GitHub credential: set GITHUB_TOKEN", stderr, StringComparison.Ordinal);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task An_unknown_toolset_stops_the_start_and_help_never_shows_the_token()
    {
        var environment = new Dictionary<string, string> { ["GITHUB_TOKEN"] = "ghp_secret_in_help_test" };
        var (exit, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.GitHub", ["--toolsets", "gists"], environment);
        Assert.Equal(2, exit);
        Assert.Contains("unknown toolset 'gists'", stderr, StringComparison.Ordinal);

        var (helpExit, help, _) = await ServerProcess.RunToExitAsync("Connectors.GitHub", ["--help"], environment);
        Assert.Equal(0, helpExit);
        Assert.Contains("GITHUB_TOKEN", help, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_secret_in_help_test", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_doctor_check_reports_the_login_and_the_classic_scopes()
    {
        await using var github = await Isolated.StartAsync();
        var result = Assert.Single((await github.Mcp.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries);
        Assert.Equal("github", result.Key);
        Assert.Equal(HealthStatus.Healthy, result.Value.Status);
        Assert.Contains("signed in as mona", result.Value.Description, StringComparison.Ordinal);
        Assert.Contains("repo, read:org", result.Value.Description, StringComparison.Ordinal);

        await using var bad = await Isolated.StartAsync(token: "ghp_not_valid");
        var failed = Assert.Single((await bad.Mcp.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.DoesNotContain("ghp_not_valid", failed.Description, StringComparison.Ordinal);
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task The_server_works_over_streamable_http_as_a_real_process()
    {
        await using var emulator = await Testing.GitHub.GitHubEmulator.StartAsync();
        await using var server = await ServerProcess.StartHttpAsync("Connectors.GitHub", ["--api-url", emulator.Url.ToString()], new Dictionary<string, string> { ["GITHUB_TOKEN"] = GitHubFixture.Token });
        await using var client = await server.ConnectHttpAsync();
        var result = await client.CallToolAsync("get_repository", new Dictionary<string, object?> { ["repo"] = "octo-org/widgets" });
        Assert.Contains("default branch: main", result.Ok(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.StderrLines, l => l.Contains(GitHubFixture.Token, StringComparison.Ordinal));
    }

    [Trait("Category", "ServerProcess")]
    [Theory]
    [InlineData("prompts-list")]
    [InlineData("completion-complete")]
    [InlineData("resources-list")]
    public async Task The_official_conformance_scenario_passes_over_http(string scenario)
    {
        await using var emulator = await Testing.GitHub.GitHubEmulator.StartAsync();
        await using var server = await ServerProcess.StartHttpAsync("Connectors.GitHub", ["--api-url", emulator.Url.ToString()], new Dictionary<string, string> { ["GITHUB_TOKEN"] = GitHubFixture.Token });
        await Conformance.AssertScenarioPassesAsync(server.BaseUrl, scenario);
    }
}
