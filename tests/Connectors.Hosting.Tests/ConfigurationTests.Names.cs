using Connectors.Hosting.Security;

namespace Connectors.Hosting.Tests;

/// <summary>
/// Names (issue 21): one spelling per idea: an option's flag, environment variable and config key are the same words, and the
/// spellings used before keep working with a warning that names the current one.
/// </summary>
public sealed partial class ConfigurationTests
{
    [Fact]
    public void Every_shared_option_spells_its_flag_variable_and_config_key_with_the_same_words()
    {
        foreach (var option in CommonOptions.All.Where(o => o != CommonOptions.Config))
        {
            var words = option.Name[2..].Split('-');
            if (option != CommonOptions.OtlpEndpoint) // OTEL_EXPORTER_OTLP_ENDPOINT is OpenTelemetry's own name.
            {
                Assert.Equal("CONNECTORS_" + string.Join('_', words).ToUpperInvariant(), option.EnvironmentVariable);
            }

            Assert.Equal(words[0] + string.Concat(words[1..].Select(w => char.ToUpperInvariant(w[0]) + w[1..])), option.ConfigKey);
        }
    }

    [Fact]
    public void The_allow_and_deny_lists_are_spelled_verb_first()
    {
        Assert.Equal(["--allow-tools", "--deny-tools", "--allow-hosts", "--allow-origins"],
            new ConnectorOption[] { CommonOptions.AllowTools, CommonOptions.DenyTools, CommonOptions.AllowHosts, CommonOptions.AllowOrigins }.Select(o => o.Name));
        Assert.DoesNotContain(CommonOptions.All, o => o.Name.Contains("allowed", StringComparison.Ordinal) || o.Name.EndsWith("-allow", StringComparison.Ordinal));
    }

    [Fact]
    public void The_current_spellings_give_a_value_without_a_warning()
    {
        var config = Path.Combine(_dir, "new.json");
        File.WriteAllText(config, """{ "allowHosts": ["mcp.example.com"], "auth": "api-key", "rateLimitIdentity": 60 }""");
        var settings = Resolve(["--config", config, "--deny-tools", "a"], new() { ["CONNECTORS_ALLOW_TOOLS"] = "b" });

        Assert.Equal(["a"], settings.Get(CommonOptions.DenyTools));
        Assert.Equal(["b"], settings.Get(CommonOptions.AllowTools));
        Assert.Equal(["mcp.example.com"], settings.Get(CommonOptions.AllowHosts));
        Assert.Equal(SecurityOptions.AuthApiKey, settings.Get(SecurityOptions.Auth));
        Assert.Equal(60, settings.Get(SecurityOptions.IdentityCallsPerMinute));
        Assert.Empty(settings.Deprecations);
    }

    [Fact]
    public void Earlier_flags_variables_and_config_keys_still_work_and_each_warns_with_the_current_spelling()
    {
        var config = Path.Combine(_dir, "old.json");
        File.WriteAllText(config, """{ "http": { "allowedHosts": ["mcp.example.com"] }, "auth": { "mode": "api-key" }, "limits": { "identityCallsPerMinute": 60 } }""");
        var settings = Resolve(["--config", config, "--tools-deny", "a", "--tool-scope", "t=s"], new() { ["CONNECTORS_TOOLS_ALLOW"] = "b" });

        Assert.Equal(["a"], settings.Get(CommonOptions.DenyTools));
        Assert.Equal("--tools-deny", settings.SourceOf(CommonOptions.DenyTools));
        Assert.Equal(["t=s"], settings.Get(SecurityOptions.ToolScopes));
        Assert.Equal(["b"], settings.Get(CommonOptions.AllowTools));
        Assert.Equal(["mcp.example.com"], settings.Get(CommonOptions.AllowHosts));
        Assert.Equal(SecurityOptions.AuthApiKey, settings.Get(SecurityOptions.Auth));
        Assert.Equal(60, settings.Get(SecurityOptions.IdentityCallsPerMinute));
        Assert.Equal(
            [
                "env CONNECTORS_TOOLS_ALLOW is deprecated and will be removed; use env CONNECTORS_ALLOW_TOOLS.",
                "--tools-deny is deprecated and will be removed; use --deny-tools.",
                "config key http.allowedHosts is deprecated and will be removed; use config key allowHosts.",
                "config key auth.mode is deprecated and will be removed; use config key auth.",
                "--tool-scope is deprecated and will be removed; use --tool-scopes.",
                "config key limits.identityCallsPerMinute is deprecated and will be removed; use config key rateLimitIdentity.",
            ],
            settings.Deprecations);
    }

    [Fact]
    public void The_current_spelling_wins_over_an_earlier_one()
    {
        var settings = Resolve(["--deny-tools", "new", "--tools-deny", "old"], new() { ["CONNECTORS_ALLOW_TOOLS"] = "new", ["CONNECTORS_TOOLS_ALLOW"] = "old" });
        Assert.Equal(["new"], settings.Get(CommonOptions.DenyTools));
        Assert.Equal(["new"], settings.Get(CommonOptions.AllowTools));
    }

    [Fact]
    public async Task A_server_started_with_an_earlier_flag_warns_on_stderr_naming_the_current_one()
    {
        var (_, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["doctor", "--tools-deny", "x"]);
        Assert.Contains("connectors-testserver: warning: --tools-deny is deprecated and will be removed; use --deny-tools.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_shows_the_server_s_own_options_first_then_the_shared_ones_by_topic()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["--help"]);
        Assert.Equal(0, exitCode);

        var headings = stdout.Split('\n').Where(l => l.EndsWith(':') && !l.StartsWith(' ')).ToArray();
        Assert.Equal(
            ["Usage:", "Options of connectors-testserver:", .. CommonOptions.Topics.Select(t => $"Shared options: {t.Topic}:"), "Other:"],
            headings);
        Assert.True(stdout.IndexOf("--test-secret", StringComparison.Ordinal) < stdout.IndexOf("--config", StringComparison.Ordinal));
        Assert.DoesNotContain("--tools-deny", stdout, StringComparison.Ordinal);
    }
}
