namespace Connectors.Hosting.Tests;

/// <summary>The <c>doctor</c> and <c>print-config</c> subcommands every server gets from the shared host.</summary>
public sealed class DiagnosticCommandsTests
{
    private const string Project = "Connectors.Hosting.TestServer";
    private const string SecretValue = "hunter2-doctor-secret";

    [Fact]
    public async Task Doctor_prints_one_line_per_check_and_exits_0_when_everything_is_ready()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["doctor"]);

        Assert.Equal(0, exitCode);
        TextAssert.ContainsAll(stdout, "ok   configuration: valid;", "ok   test: ok", "warn test-secret: not set");
        Assert.EndsWith("doctor: ready to serve", stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_exits_1_with_a_FAIL_line_when_a_dependency_check_fails()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", "--test-unready"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL test: told to be unready", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_reports_an_invalid_option_as_a_failed_configuration_instead_of_serving()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", "--max-output-bytes", "-5"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL configuration: --max-output-bytes", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_refuses_a_secret_on_the_command_line_without_repeating_it()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(Project, ["doctor", "--test-secret", SecretValue]);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL configuration: --test-secret was given on the command line", stdout, StringComparison.Ordinal);
        Assert.Contains("CONNECTORS_TEST_SECRET_FILE", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_redacts_secrets_even_when_a_check_reports_them()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(
            Project, ["doctor"], new Dictionary<string, string> { ["CONNECTORS_TEST_SECRET"] = SecretValue });

        Assert.Equal(0, exitCode);
        Assert.Contains("ok   test-secret: set (", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_runs_the_readiness_checks_too_and_reports_a_throwing_one_without_its_text()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(
            Project, ["doctor", "--test-check-fault", "throw"], new Dictionary<string, string> { ["CONNECTORS_TEST_SECRET"] = SecretValue });

        Assert.Equal(1, exitCode);
        Assert.Contains("ok   test: ok", stdout, StringComparison.Ordinal);
        Assert.Contains("FAIL fault: the check failed unexpectedly (InvalidOperationException", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_config_for_vscode_prompts_for_each_secret_as_a_password_input()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["print-config", "vscode", "--read-only", "--max-output-bytes", "4096"]);

        Assert.Equal(0, exitCode);
        var config = JsonNode.Parse(stdout)!;
        var input = Assert.Single(config["inputs"]!.AsArray())!;
        Assert.Equal("promptString", (string?)input["type"]);
        Assert.True((bool?)input["password"]);
        var entry = config["servers"]!["connectors-testserver"]!;
        Assert.Equal("stdio", (string?)entry["type"]);
        Assert.Equal("connectors-testserver", (string?)entry["command"]);
        Assert.Equal(["--read-only", "--max-output-bytes", "4096"], entry["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal($"${{input:{(string?)input["id"]}}}", (string?)entry["env"]!["CONNECTORS_TEST_SECRET"]);
        // Visual Studio reads the same file but takes only letters, digits and '_' in an input id.
        Assert.Matches("^[a-z0-9_]+$", (string?)input["id"]);
    }

    [Fact]
    public async Task Print_config_for_cursor_reads_secrets_from_the_environment_and_for_claude_desktop_from_a_file()
    {
        var cursor = await ServerProcess.RunToExitAsync(Project, ["print-config", "cursor"]);
        var claude = await ServerProcess.RunToExitAsync(Project, ["print-config", "claude-desktop"]);

        Assert.Equal((0, 0), (cursor.ExitCode, claude.ExitCode));
        Assert.Equal("${env:CONNECTORS_TEST_SECRET}", (string?)JsonNode.Parse(cursor.Stdout)!["mcpServers"]!["connectors-testserver"]!["env"]!["CONNECTORS_TEST_SECRET"]);
        var claudeEnv = JsonNode.Parse(claude.Stdout)!["mcpServers"]!["connectors-testserver"]!["env"]!.AsObject();
        Assert.Equal("CONNECTORS_TEST_SECRET_FILE", Assert.Single(claudeEnv).Key);
    }

    [Fact]
    public async Task Print_config_with_the_dnx_launcher_runs_the_package_without_installing_it()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["print-config", "vscode", "--launcher", "dnx", "--read-only"]);

        Assert.Equal(0, exitCode);
        var entry = JsonNode.Parse(stdout)!["servers"]!["connectors-testserver"]!;
        Assert.Equal("dnx", (string?)entry["command"]);
        var args = entry["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.StartsWith("Connectors.Hosting.TestServer@", args[0], StringComparison.Ordinal);
        Assert.Equal(["--yes", "--", "--read-only"], args.Skip(1));
    }

    [Fact]
    public async Task Print_config_makes_relative_paths_absolute_because_the_client_chooses_the_working_directory()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(Project, ["print-config", "cursor", "--config", "./connectors.json"]);

        Assert.Equal(0, exitCode);
        var args = JsonNode.Parse(stdout)!["mcpServers"]!["connectors-testserver"]!["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Equal("--config", args[0]);
        Assert.True(Path.IsPathRooted(args[1]), args[1]);
        Assert.EndsWith("connectors.json", args[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Print_config_refuses_a_secret_on_its_command_line_and_prints_no_snippet()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(Project, ["print-config", "vscode", "--test-secret", SecretValue]);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("never written into a client configuration", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("emacs")]
    [InlineData("")]
    public async Task Print_config_for_an_unknown_client_shows_its_usage(string client)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(Project, ["print-config", client]);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("print-config vscode|claude-desktop|cursor", stderr, StringComparison.Ordinal);
    }
}
