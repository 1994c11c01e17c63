namespace Connectors.Filesystem.Tests;

/// <summary>The built filesystem server as a real process, over stdio and Streamable HTTP, with the SDK's client.</summary>
[Trait("Category", "ServerProcess")]
public sealed class ServerProcessTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Answers_over_stdio()
    {
        _tree.Write("hello.txt", "hello from stdio\n");
        await using var client = await ServerProcess.ConnectStdioAsync("Connectors.Filesystem", ["--roots", _tree.Root]);

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("read_text_file", tools);
        var result = await client.CallToolAsync("read_text_file", new Dictionary<string, object?> { ["path"] = "hello.txt" });
        Assert.Equal("hello from stdio\n", result.Text());
    }

    [Fact]
    public async Task Answers_over_streamable_http()
    {
        _tree.Write("hello.txt", "hello from http\n");
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Filesystem", ["--roots", _tree.Root]);
        await using var client = await server.ConnectHttpAsync();

        var result = await client.CallToolAsync("read_text_file", new Dictionary<string, object?> { ["path"] = "hello.txt" });
        Assert.Equal("hello from http\n", result.Text());

        using var http = new HttpClient();
        var ready = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.BaseUrl, "/readyz"))).RootElement;
        Assert.Equal("roots", ready.GetProperty("checks")[0].GetProperty("name").GetString());
    }
}
