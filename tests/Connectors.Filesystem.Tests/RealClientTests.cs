namespace Connectors.Filesystem.Tests;

/// <summary>
/// Clients we did not write: the MCP Inspector's CLI (over stdio) and the official conformance suite (over HTTP).
/// Both are installed in eng/node by eng/test.sh.
/// </summary>
[Trait("Category", "ServerProcess")]
public sealed class RealClientTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task The_mcp_inspector_cli_lists_the_tools_and_calls_one()
    {
        _tree.Write("notes/today.txt", "inspected\n");
        string[] server = [.. ServerProcess.Command("Connectors.Filesystem"), "--roots", _tree.Root];

        var (listExit, listOut, listErr) = await NodeTools.RunAsync("mcp-inspector", ["--cli", .. server, "--method", "tools/list"], TimeSpan.FromMinutes(2));
        Assert.True(listExit == 0, listErr);
        var names = JsonDocument.Parse(listOut).RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("list_directory", names);
        Assert.Contains("read_text_file", names);

        var (callExit, callOut, callErr) = await NodeTools.RunAsync(
            "mcp-inspector",
            ["--cli", .. server, "--method", "tools/call", "--tool-name", "list_directory", "--tool-arg", $"path={Path.Combine(_tree.Root, "notes")}"],
            TimeSpan.FromMinutes(2));
        Assert.True(callExit == 0, callErr);
        var result = JsonDocument.Parse(callOut).RootElement;
        Assert.False(result.TryGetProperty("isError", out var isError) && isError.GetBoolean());
        Assert.Equal("[FILE] today.txt\n", result.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("server-initialize")]
    [InlineData("ping")]
    [InlineData("tools-list")]
    [InlineData("prompts-list")]
    [InlineData("completion-complete")]
    [InlineData("resources-list")]
    [InlineData("dns-rebinding-protection")]
    public async Task The_official_conformance_scenario_passes_over_http(string scenario)
    {
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Filesystem", ["--roots", _tree.Root]);
        await Conformance.AssertScenarioPassesAsync(server.BaseUrl, scenario);
    }
}
