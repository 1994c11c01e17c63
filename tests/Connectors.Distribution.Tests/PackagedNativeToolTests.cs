using System.Diagnostics;
using System.Net.Http.Headers;

namespace Connectors.Distribution.Tests;

/// <summary>
/// The linux-x64 tool package ships two native builds (eng/pack.sh): the stdio-only executable as the command, which an
/// IDE starts many times and which idles in less memory, and the full build beside it, which the command execs in its
/// place for HTTP. Installed from the feed as a user would, each transport must run on the build meant for it.
/// </summary>
[Collection(PackagedServersCollection.Name)]
public sealed class PackagedNativeToolTests(PackagedServers packages)
{
    private const string ApiKey = "ci-distribution-key-0123456789";

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_installed_command_serves_stdio_from_the_small_build_in_its_own_process(string key)
    {
        var server = Servers.Get(key);
        var command = Command(server);
        var full = new FileInfo(command + "-http").Length;
        Assert.True(new FileInfo(command).Length < full * 0.8, "the command is not the stdio-only build");

        var start = new ProcessStartInfo(packages.Installed(server)) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in server.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        try
        {
            process.BeginErrorReadLine();
            await process.StandardInput.WriteLineAsync(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""");
            await process.StandardInput.FlushAsync();
            var answer = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Contains(server.Command, answer, StringComparison.Ordinal);
            Assert.Equal(command, ExecutableOf(process.Id));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task Asked_for_http_the_installed_command_becomes_the_full_build_and_serves_healthz_and_tools(string key)
    {
        var server = Servers.Get(key);
        var command = Command(server);
        var environment = new Dictionary<string, string>(server.Environment.ToDictionary())
        {
            ["CONNECTORS_URLS"] = "http://127.0.0.1:0",
            ["CONNECTORS_AUTH"] = "api-key",
            ["CONNECTORS_API_KEYS"] = $"ci:{ApiKey}",
        };

        // The flag on the command line here, the variable in the next test: the handoff must keep both.
        await using var process = await ServerProcess.StartHttpCommandAsync(packages.Installed(server), ["--transport", "http"], environment);
        await AssertServesHttpAsync(process);
        Assert.Equal(command + "-http", ExecutableOf(process.ProcessId));
    }

    [Fact]
    public async Task The_transport_from_the_environment_hands_over_too()
    {
        var server = Servers.Get("filesystem");
        var command = Command(server);
        var environment = new Dictionary<string, string>(server.Environment.ToDictionary())
        {
            ["CONNECTORS_TRANSPORT"] = "http",
            ["CONNECTORS_URLS"] = "http://127.0.0.1:0",
            ["CONNECTORS_AUTH"] = "api-key",
            ["CONNECTORS_API_KEYS"] = $"ci:{ApiKey}",
        };

        await using var process = await ServerProcess.StartHttpCommandAsync(packages.Installed(server), [], environment);
        await AssertServesHttpAsync(process);
        Assert.Equal(command + "-http", ExecutableOf(process.ProcessId));
    }

    private string Command(ShippedServer server)
    {
        Assert.SkipUnless(System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64", "the native package is built for linux-x64 only");
        return new FileInfo(packages.Installed(server)).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? packages.Installed(server);
    }

    /// <summary>What the process runs now: after an execv, the new image under the same process id.</summary>
    private static string ExecutableOf(int processId) => new FileInfo($"/proc/{processId}/exe").ResolveLinkTarget(returnFinalTarget: false)!.FullName;

    private static async Task AssertServesHttpAsync(ServerProcess process)
    {
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri(process.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, process.McpUrl)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var tools = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, tools.StatusCode);
        Assert.Contains("\"tools\"", await tools.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
