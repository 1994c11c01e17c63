using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Connectors.Filesystem.Tests;

public sealed class ResourceSubscriptionTests : InMemoryFilesystemTests
{
    // resources/subscribe exists up to 2025-11-25; the 2026-07-28 revision replaces it with subscriptions/listen.
    private static readonly McpClientOptions s_client = new() { ProtocolVersion = "2025-11-25" };

    private Task<InMemoryMcp> StartClientAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(FilesystemServer.Create(), [.. ServerArguments, .. extra], clientOptions: s_client);

    [Fact]
    public async Task Subscribed_file_change_sends_updated_and_unsubscribe_stops_it()
    {
        var file = Tree.Write("notes.txt", "one");
        Tree.Write("other.txt", "x");
        await using var mcp = await StartClientAsync();
        Assert.True(mcp.Client.ServerCapabilities.Resources?.Subscribe);
        var updates = Channel.CreateUnbounded<string?>();
        await using var handler = mcp.Client.RegisterNotificationHandler(NotificationMethods.ResourceUpdatedNotification, (n, _) =>
        {
            updates.Writer.TryWrite(n.Params?["uri"]?.GetValue<string>());
            return ValueTask.CompletedTask;
        });
        var uri = new Uri("file://" + file).AbsoluteUri;
        var ct = TestContext.Current.CancellationToken;

        await mcp.Client.SubscribeToResourceAsync(uri, cancellationToken: ct);
        await mcp.Client.SubscribeToResourceAsync(uri, cancellationToken: ct);
        await File.WriteAllTextAsync(Path.Combine(Tree.Root, "other.txt"), "not subscribed", ct);
        await File.WriteAllTextAsync(file, "two", ct);

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        Assert.Equal(uri, await updates.Reader.ReadAsync(wait.Token));
        // The burst of one write (truncate, write, close) is one update, and the other file sent none.
        await Task.Delay(FileSubscriptions.Debounce * 5, ct);
        Assert.False(updates.Reader.TryRead(out _));

        await mcp.Client.UnsubscribeFromResourceAsync(uri, cancellationToken: ct);
        await mcp.Client.UnsubscribeFromResourceAsync(uri, cancellationToken: ct);
        await File.WriteAllTextAsync(file, "three", ct);
        File.Delete(file);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.False(updates.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Deleting_a_subscribed_file_sends_updated()
    {
        var file = Tree.Write("gone.txt", "x");
        await using var mcp = await StartClientAsync();
        var updated = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var handler = mcp.Client.RegisterNotificationHandler(NotificationMethods.ResourceUpdatedNotification, (n, _) =>
        {
            updated.TrySetResult(n.Params?["uri"]?.GetValue<string>());
            return ValueTask.CompletedTask;
        });
        var uri = new Uri("file://" + file).AbsoluteUri;
        await mcp.Client.SubscribeToResourceAsync(uri, cancellationToken: TestContext.Current.CancellationToken);

        File.Delete(file);

        Assert.Equal(uri, await updated.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Subscribe_refuses_what_read_refuses_without_leaking_the_path()
    {
        var secret = Tree.WriteOutside("secret.txt", "s");
        Tree.Write(".env", "TOKEN=1");
        Directory.CreateDirectory(Path.Combine(Tree.Root, "dir"));
        await using var mcp = await StartClientAsync();
        var ct = TestContext.Current.CancellationToken;

        foreach (var (uri, code) in new[]
        {
            ("file://" + secret, McpErrorCode.InvalidParams),
            ("file://" + Tree.Root + "/../" + Path.GetFileName(Tree.Outside) + "/secret.txt", McpErrorCode.InvalidParams),
            ("file://" + Path.Combine(Tree.Root, ".env"), McpErrorCode.InvalidParams),
            ("file://" + Path.Combine(Tree.Root, "dir"), McpErrorCode.InvalidParams),
            ("file://" + Path.Combine(Tree.Root, "a%00b"), McpErrorCode.InvalidParams),
            ("file://" + Path.Combine(Tree.Root, "missing.txt"), McpErrorCode.ResourceNotFound),
            ("https://example.com/x", McpErrorCode.InvalidParams),
            ("garbage", McpErrorCode.InvalidParams),
        })
        {
            var error = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.Client.SubscribeToResourceAsync(uri, cancellationToken: ct));
            Assert.Equal(code, error.ErrorCode);
            Assert.DoesNotContain(Tree.Outside, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("root_evil", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, mcp.Services.GetRequiredService<FileSubscriptions>().Count);
    }

    [Fact]
    public async Task Subscriptions_per_session_are_bounded()
    {
        for (var i = 0; i <= FileSubscriptions.MaxPerSession; i++)
        {
            Tree.Write($"f{i}.txt", "x");
        }

        await using var mcp = await StartClientAsync();
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < FileSubscriptions.MaxPerSession; i++)
        {
            await mcp.Client.SubscribeToResourceAsync(new Uri("file://" + Path.Combine(Tree.Root, $"f{i}.txt")).AbsoluteUri, cancellationToken: ct);
        }

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.Client.SubscribeToResourceAsync(
            new Uri("file://" + Path.Combine(Tree.Root, $"f{FileSubscriptions.MaxPerSession}.txt")).AbsoluteUri, cancellationToken: ct));
        Assert.Contains($"{FileSubscriptions.MaxPerSession} resource subscriptions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_http_subscribe_is_unadvertised_and_refused()
    {
        var file = Tree.Write("notes.txt", "one");
        await using var mcp = await StartClientAsync("--transport", "http");
        Assert.NotNull(mcp.Client.ServerCapabilities.Resources);
        Assert.NotEqual(true, mcp.Client.ServerCapabilities.Resources.Subscribe);

        var ct = TestContext.Current.CancellationToken;
        var uri = new Uri("file://" + file).AbsoluteUri;
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.Client.SubscribeToResourceAsync(uri, cancellationToken: ct));
        Assert.Equal(McpErrorCode.MethodNotFound, error.ErrorCode);
        Assert.Contains("stdio", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<McpProtocolException>(() => mcp.Client.UnsubscribeFromResourceAsync(uri, cancellationToken: ct));
    }
}
