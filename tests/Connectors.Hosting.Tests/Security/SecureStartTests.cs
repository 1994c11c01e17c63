namespace Connectors.Hosting.Tests.Security;

public sealed class SecureStartTests
{
    private const string Project = "Connectors.Hosting.TestServer";

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://192.0.2.10:8080")]
    public async Task Http_without_authentication_beyond_loopback_refuses_to_start(string url)
    {
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync(Project, ["--transport", "http", "--urls", url]);
        Assert.Equal(2, exitCode);
        Assert.Contains($"--auth none (from default) on the non-loopback address '{url}'", stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-unauthenticated", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_unauthenticated_starts_beyond_loopback_with_a_warning()
    {
        await using var server = await ServerProcess.StartHttpAsync(Project, ["--urls", "http://0.0.0.0:0", "--allow-unauthenticated"]);
        await server.WaitForLogAsync(l => l.Contains("\"Warning\"", StringComparison.Ordinal) && l.Contains("Authentication is off", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Serving_http_writes_no_key_files_to_the_home_directory()
    {
        var home = Directory.CreateTempSubdirectory("connectors-home-");
        try
        {
            var environment = new Dictionary<string, string> { ["HOME"] = home.FullName, ["CONNECTORS_API_KEYS"] = "alice:0123456789abcdef0123" };
            await using (var server = await ServerProcess.StartHttpAsync(Project, ["--auth", "api-key"], environment))
            {
                using var http = new HttpClient();
                Assert.True((await http.GetAsync(new Uri(server.BaseUrl, "/readyz"))).IsSuccessStatusCode);
                Assert.DoesNotContain(server.StderrLines, line => line.Contains("DataProtection", StringComparison.Ordinal));
            }

            // ASP.NET Core's default key ring lives in ~/.aspnet/DataProtection-Keys.
            Assert.False(Directory.Exists(Path.Combine(home.FullName, ".aspnet")), "a key ring was written to the home directory");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--auth", "api-key" }, null, "--auth api-key needs keys")]
    [InlineData(new[] { "--auth", "api-key" }, "alice:short", "at least 16 characters")]
    [InlineData(new[] { "--auth", "api-key" }, "alice:sha256:abcd", "entry 1 ('alice'): a sha256 key is 64 hexadecimal digits")]
    [InlineData(new[] { "--auth", "jwt", "--jwt-issuer", "https://idp.example.com" }, null, "--auth jwt needs --jwt-issuer")]
    [InlineData(new[] { "--auth", "jwt", "--jwt-issuer", "http://idp.example.com", "--resource-uri", "https://mcp.example.com/mcp" }, null, "must use https")]
    [InlineData(new[] { "--auth", "jwt", "--jwt-issuer", "https://idp.example.com", "--jwt-jwks-uri", "http://idp.example.com/jwks", "--resource-uri", "https://mcp.example.com/mcp" }, null, "--jwt-jwks-uri: 'http://idp.example.com/jwks' must use https")]
    [InlineData(new[] { "--auth", "gateway" }, null, "--auth gateway needs --gateway-secret")]
    [InlineData(new[] { "--auth", "password" }, null, "--auth: 'password' is not one of: none, api-key, jwt, gateway")]
    [InlineData(new[] { "--tool-scopes", "echo" }, null, "--tool-scopes (from --tool-scopes): 'echo' is not tool=scope")]
    [InlineData(new[] { "--tool-scopes", "ecko=testserver:admin" }, null, "--tool-scopes (from --tool-scopes): 'ecko' is not a tool this server offers")]
    public async Task Incomplete_security_settings_stop_the_server_with_exit_code_2(string[] args, string? apiKeys, string expected)
    {
        var environment = apiKeys is null ? null : new Dictionary<string, string> { ["CONNECTORS_API_KEYS"] = apiKeys };
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync(Project, ["--transport", "http", "--urls", "http://127.0.0.1:0", .. args], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--api-keys", "alice:0123456789abcdef0123:testserver:read", "CONNECTORS_API_KEYS")]
    [InlineData("--gateway-secret", "gw-0123456789abcdef0123", "CONNECTORS_GATEWAY_SECRET")]
    public async Task A_secret_on_the_command_line_stops_the_server_naming_the_environment_forms_but_not_the_value(string option, string value, string variable)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunToExitAsync(Project, ["--transport", "http", "--urls", "http://127.0.0.1:0", option, value]);
        Assert.Equal(2, exitCode);
        Assert.Contains($"{option} was given on the command line", stderr, StringComparison.Ordinal);
        Assert.Contains($"set {variable}, or {variable}_FILE", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(value, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdio_is_not_affected_by_the_auth_settings()
    {
        await using var client = await ServerProcess.ConnectStdioAsync(
            Project, ["--auth", "api-key"], new Dictionary<string, string> { ["CONNECTORS_API_KEYS"] = "alice:0123456789abcdef0123:testserver:read" });
        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("write_note", names);
        Assert.Contains("admin_report", names);
        var result = await client.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });
        Assert.NotEqual(true, result.IsError);
    }
}
