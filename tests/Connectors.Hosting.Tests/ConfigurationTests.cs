using Connectors.Hosting.TestServer;

namespace Connectors.Hosting.Tests;

public sealed partial class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("connectors-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static ConnectorSettings Resolve(string[] args, Dictionary<string, string>? env = null) =>
        TestServer.TestServer.Create().ResolveSettings(args, name => env is not null && env.TryGetValue(name, out var v) ? v : null);

    [Fact]
    public void Defaults_apply_when_nothing_is_given()
    {
        var settings = Resolve([]);
        Assert.Equal("stdio", settings.Get(CommonOptions.Transport));
        Assert.False(settings.Get(CommonOptions.ReadOnly));
        Assert.Equal(64 * 1024, settings.Get(CommonOptions.MaxOutputBytes));
    }

    [Fact]
    public void Command_line_beats_environment_which_beats_config_file()
    {
        var config = Path.Combine(_dir, "c.json");
        File.WriteAllText(config, """{ "transport": "http", "logLevel": "debug", "maxOutputBytes": 2048, "toolTimeout": 7 }""");
        var settings = Resolve(
            ["--config", config, "--max-output-bytes", "4096"],
            new() { ["CONNECTORS_LOG_LEVEL"] = "error", ["CONNECTORS_MAX_OUTPUT_BYTES"] = "3000" });

        Assert.Equal(4096, settings.Get(CommonOptions.MaxOutputBytes));
        Assert.Equal("--max-output-bytes", settings.SourceOf(CommonOptions.MaxOutputBytes));
        Assert.Equal("error", settings.Get(CommonOptions.LogLevel));
        Assert.Equal("env CONNECTORS_LOG_LEVEL", settings.SourceOf(CommonOptions.LogLevel));
        Assert.Equal("http", settings.Get(CommonOptions.Transport));
        Assert.Equal(7, settings.Get(CommonOptions.ToolTimeoutSeconds));
    }

    [Fact]
    public void Lists_come_from_repeated_options_or_separated_environment_values()
    {
        Assert.Equal(["a", "b"], Resolve(["--deny-tools", "a", "--deny-tools", "b"]).Get(CommonOptions.DenyTools));
        Assert.Equal(["x", "y"], Resolve([], new() { ["CONNECTORS_DENY_TOOLS"] = "x, y" }).Get(CommonOptions.DenyTools));
    }

    [Fact]
    public void Secret_options_read_a_file_named_by_NAME_FILE()
    {
        var secretFile = Path.Combine(_dir, "secret");
        File.WriteAllText(secretFile, "s3cr3t-from-file\n");
        var settings = Resolve([], new() { ["CONNECTORS_TEST_SECRET_FILE"] = secretFile });
        Assert.Equal("s3cr3t-from-file", settings.Get(TestServer.TestServer.Secret));
        Assert.Contains("s3cr3t-from-file", settings.SecretValues());
    }

    [Theory]
    [InlineData(new[] { "--transport", "tcp" }, "--transport: 'tcp' is not one of: stdio, http")]
    [InlineData(new[] { "--max-output-bytes", "ten" }, "--max-output-bytes: 'ten' is not a whole number")]
    [InlineData(new[] { "--tool-timeout", "0" }, "--tool-timeout: must be between 1 and 3600 (got 0)")]
    [InlineData(new[] { "--log-level", "loud" }, "--log-level: 'loud' is not one of")]
    [InlineData(new[] { "--otlp-endpoint", "collector:4317" }, "--otlp-endpoint: 'collector:4317' is not an absolute http(s) URL")]
    public void Invalid_values_are_refused_with_the_option_and_the_reason(string[] args, string expected)
    {
        var error = Assert.Throws<ConnectorConfigurationException>(() => Resolve(args));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_environment_values_name_the_variable()
    {
        var error = Assert.Throws<ConnectorConfigurationException>(() => Resolve([], new() { ["CONNECTORS_READ_ONLY"] = "maybe" }));
        Assert.Contains("--read-only (from env CONNECTORS_READ_ONLY): 'maybe' is not true or false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_config_keys_and_bad_json_are_refused()
    {
        var typo = Path.Combine(_dir, "typo.json");
        File.WriteAllText(typo, """{ "readOnyl": true }""");
        Assert.Contains("unknown setting 'readOnyl'", Assert.Throws<ConnectorConfigurationException>(() => Resolve(["--config", typo])).Message, StringComparison.Ordinal);

        var broken = Path.Combine(_dir, "broken.json");
        File.WriteAllText(broken, """{ "readOnly": tru }""");
        Assert.Contains("not valid JSON", Assert.Throws<ConnectorConfigurationException>(() => Resolve(["--config", broken])).Message, StringComparison.Ordinal);

        Assert.Contains("cannot be read", Assert.Throws<ConnectorConfigurationException>(() => Resolve(["--config", Path.Combine(_dir, "missing.json")])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_documents_every_option_with_its_environment_variable_and_never_a_secret_value()
    {
        var (exitCode, stdout, _) = await ServerProcess.RunToExitAsync(
            "Connectors.Hosting.TestServer", ["--help"], new Dictionary<string, string> { ["CONNECTORS_TEST_SECRET"] = "hunter2-secret-value" });

        Assert.Equal(0, exitCode);
        foreach (var option in CommonOptions.All.Append(TestServer.TestServer.Secret))
        {
            Assert.Contains(option.Name, stdout, StringComparison.Ordinal);
            Assert.Contains(option.EnvironmentVariable, stdout, StringComparison.Ordinal);
        }

        Assert.Contains("CONNECTORS_TEST_SECRET_FILE", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret-value", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_configuration_stops_the_process_with_exit_code_2_and_a_readable_message()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["--transport", "carrier-pigeon"]);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("invalid configuration", stderr, StringComparison.Ordinal);
        Assert.Contains("'carrier-pigeon' is not one of: stdio, http", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_or_deny_lists_naming_unknown_tools_stop_the_server()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync("Connectors.Hosting.TestServer", ["--deny-tools", "ehco"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown tool 'ehco'", stderr, StringComparison.Ordinal);
    }
}
