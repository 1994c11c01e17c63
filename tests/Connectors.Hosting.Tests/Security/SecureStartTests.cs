using Connectors.Testing;

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

    [Theory]
    [InlineData(new[] { "--auth", "api-key" }, "--auth api-key needs keys")]
    [InlineData(new[] { "--auth", "api-key", "--api-keys", "alice:short" }, "at least 16 characters")]
    [InlineData(new[] { "--auth", "api-key", "--api-keys", "alice:sha256:abcd" }, "entry 1 ('alice'): a sha256 key is 64 hexadecimal digits")]
    [InlineData(new[] { "--auth", "jwt", "--jwt-issuer", "https://idp.example.com" }, "--auth jwt needs --jwt-issuer")]
    [InlineData(new[] { "--auth", "jwt", "--jwt-issuer", "http://idp.example.com", "--resource-uri", "https://mcp.example.com/mcp" }, "must use https")]
    [InlineData(new[] { "--auth", "gateway" }, "--auth gateway needs --gateway-secret")]
    [InlineData(new[] { "--auth", "password" }, "--auth: 'password' is not one of: none, api-key, jwt, gateway")]
    [InlineData(new[] { "--tool-scope", "echo" }, "--tool-scope (from --tool-scope): 'echo' is not tool=scope")]
    [InlineData(new[] { "--tool-scope", "ecko=testserver:admin" }, "--tool-scope (from --tool-scope): 'ecko' is not a tool this server offers")]
    public async Task Incomplete_security_settings_stop_the_server_with_exit_code_2(string[] args, string expected)
    {
        var (exitCode, _, stderr) = await ServerProcess.RunToExitAsync(Project, ["--transport", "http", "--urls", "http://127.0.0.1:0", .. args]);
        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdio_is_not_affected_by_the_auth_settings()
    {
        await using var client = await ServerProcess.ConnectStdioAsync(Project, ["--auth", "api-key", "--api-keys", "alice:0123456789abcdef0123:testserver:read"]);
        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("write_note", names);
        Assert.Contains("admin_report", names);
        var result = await client.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "x" });
        Assert.NotEqual(true, result.IsError);
    }
}
