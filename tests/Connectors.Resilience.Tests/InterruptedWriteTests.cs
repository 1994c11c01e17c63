namespace Connectors.Resilience.Tests;

/// <summary>The fault suite's filesystem case: a write_file killed (SIGKILL) at varied moments.</summary>
public sealed class InterruptedWriteTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 4242;
    private const int Iterations = 6;
    private const string Target = "big.txt";

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_write_killed_at_any_moment_leaves_the_old_or_the_new_content_and_no_stray_file()
    {
        var random = new Random(Seed);
        var current = Content('0', 3 * 1024 * 1024);
        await File.WriteAllTextAsync(Path.Combine(_root.Path, Target), current);
        var outcomes = new List<string>();

        for (var i = 0; i < Iterations; i++)
        {
            // Each write differs in content and length, so a mix or a cut of two versions cannot pass for either.
            var next = Content((char)('a' + i), (4 + i % 3) * 1024 * 1024);
            await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Filesystem", ["--roots", _root.Path, "--allow-write"]);
            AssertNoStrayFiles();

            var request = JsonSerializer.Serialize(new
            {
                jsonrpc = "2.0", id = $"write-{i}", method = "tools/call", @params = new { name = "write_file", arguments = new { path = Target, content = next } },
            });
            var sending = server.SendLineAsync(request);
            var moment = (i % 3) switch
            {
                0 => "while sending",
                1 => "right after sending",
                _ => "after sending and a random delay",
            };
            if (i % 3 != 0)
            {
                await sending;
            }

            if (i % 3 == 2)
            {
                await Task.Delay(random.Next(0, 400));
            }

            await server.KillAsync();
            try
            {
                await sending;
            }
            catch (IOException)
            {
                // Killed before the whole request was written: expected.
            }

            var after = await File.ReadAllTextAsync(Path.Combine(_root.Path, Target), Encoding.UTF8);
            Assert.True(after == current || after == next,
                $"iteration {i} (killed {moment}): the file is neither the old nor the new content ({after.Length:N0} chars; old {current.Length:N0}, new {next.Length:N0})");
            outcomes.Add($"{moment}: {(after == next ? "new" : "old")}");
            current = after;
        }

        output.WriteLine(string.Join(Environment.NewLine, outcomes));
        await using (await RawStdioServer.StartInitializedAsync("Connectors.Filesystem", ["--roots", _root.Path, "--allow-write"]))
        {
            AssertNoStrayFiles();
        }
    }

    private void AssertNoStrayFiles() =>
        Assert.Equal([Target], Directory.GetFileSystemEntries(_root.Path).Select(Path.GetFileName));

    private static string Content(char fill, int length)
    {
        var line = new string(fill, 99) + "\n";
        return string.Concat(Enumerable.Repeat(line, length / line.Length));
    }
}
