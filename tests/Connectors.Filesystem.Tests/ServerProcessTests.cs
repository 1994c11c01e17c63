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
    public async Task Subscribed_file_change_reaches_a_stdio_client()
    {
        var file = _tree.Write("watched.txt", "one");
        var uri = new Uri("file://" + file).AbsoluteUri;
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Filesystem", ["--roots", _tree.Root]);
        static bool IsUpdate(System.Text.Json.JsonElement m) =>
            m.TryGetProperty("method", out var method) && method.GetString() == "notifications/resources/updated";

        var subscribed = await server.RequestAsync("sub", "resources/subscribe", new Dictionary<string, string> { ["uri"] = uri }, TimeSpan.FromSeconds(30));
        Assert.True(subscribed.TryGetProperty("result", out _), subscribed.ToString());
        await File.WriteAllTextAsync(file, "two", TestContext.Current.CancellationToken);

        var update = await server.WaitForLineAsync(IsUpdate, TimeSpan.FromSeconds(5));
        Assert.NotNull(update);
        Assert.Equal(uri, update.Value.GetProperty("params").GetProperty("uri").GetString());
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
