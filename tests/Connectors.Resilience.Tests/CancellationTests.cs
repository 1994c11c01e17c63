using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Connectors.Resilience.Tests;

/// <summary>The fault suite's cancellation case over stdio: notifications/cancelled stops a long content search.</summary>
public sealed partial class CancellationTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>One 4 MB text file under this many hard links: gigabytes to search, megabytes on disk.</summary>
    private const int Links = 3000;

    /// <summary>A one-second window with less CPU than this is idle (the runtime's own housekeeping stays far below).</summary>
    private static readonly TimeSpan s_idleCpuPerSecond = TimeSpan.FromMilliseconds(250);

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_cancelled_search_stops_working_sends_no_result_and_the_server_answers_afterwards()
    {
        var random = new Random(7);
        var text = new StringBuilder();
        while (text.Length < 4 * 1024 * 1024)
        {
            text.Append(new string((char)random.Next('a', 'z' + 1), random.Next(1, 80))).Append(' ').Append(random.Next()).Append('\n');
        }

        var original = _root.Write("d0/f0.txt", text.ToString());
        for (var i = 1; i < Links; i++)
        {
            var link = Path.Combine(_root.Path, $"d{i % 30}", $"f{i}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            Assert.Equal(0, Link(original, link));
        }

        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Filesystem", ["--roots", _root.Path, "--tool-timeout", "3600"]);
        await server.SendLineAsync(JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = "long",
            method = "tools/call",
            @params = new
            {
                name = "search_content",
                arguments = new { path = ".", pattern = "zq[0-9]{3}xj", regex = true, ignore_case = true },
                _meta = new { progressToken = "long-progress" },
            },
        }));

        // Progress comes after a second of walking: the search is surely under way.
        var progress = await server.WaitForLineAsync(
            root => root.TryGetProperty("method", out var method) && method.ValueEquals("notifications/progress"), TimeSpan.FromMinutes(2));
        Assert.True(progress is not null, $"no progress notification. Stderr:{Environment.NewLine}{server.Stderr}");
        Assert.Null(await server.WaitForLineAsync(IsAnswerToLong, TimeSpan.Zero));

        await server.SendLineAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"long","reason":"the user gave up"}}""");
        var ping = await server.RequestAsync("after-cancel", "ping", new { }, TimeSpan.FromMinutes(2));
        Assert.True(ping.TryGetProperty("result", out _));

        // The work stops: within a generous minute, a whole second passes with the process (nearly) idle.
        var deadline = Stopwatch.StartNew();
        var idle = false;
        var windows = new List<double>();
        while (!idle && deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            var before = server.CpuTime();
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var used = server.CpuTime() - before;
            windows.Add(used.TotalMilliseconds);
            idle = used < s_idleCpuPerSecond * window.Elapsed.TotalSeconds;
        }

        output.WriteLine($"CPU per window after the cancel (ms): {string.Join(", ", windows.Select(w => w.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(idle, $"the server kept working after the cancel: {string.Join(", ", windows)} ms of CPU per second");

        // Per the MCP specification the server should not answer a cancelled request; an error would be tolerable, a result not.
        var answer = await server.WaitForLineAsync(IsAnswerToLong, TimeSpan.Zero);
        Assert.True(answer is null || answer.Value.TryGetProperty("error", out _) ||
            (answer.Value.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean()),
            $"the cancelled search answered with a result: {answer}");

        var tools = await server.RequestAsync("still-serving", "tools/call", new { name = "list_allowed_directories", arguments = new { } }, TimeSpan.FromMinutes(1));
        Assert.Contains(_root.Path, tools.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private static bool IsAnswerToLong(JsonElement root) =>
        RawStdioServer.IsResponse(root) && root.GetProperty("id") is { ValueKind: JsonValueKind.String } id && id.ValueEquals("long");

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
