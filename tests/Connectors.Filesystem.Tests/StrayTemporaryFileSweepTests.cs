namespace Connectors.Filesystem.Tests;

/// <summary>What a write killed between its link and its rename leaves behind, and the start-up sweep that removes it.</summary>
public sealed class StrayTemporaryFileSweepTests : IDisposable
{
    private const string Stray = "src/.main.cs.0123456789ab.tmp";
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string WriteAged(string relative, TimeSpan age)
    {
        var path = _tree.Write(relative, "partial content");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public void Only_old_files_of_the_write_temporary_name_shape_are_removed_and_links_are_not_followed()
    {
        var old = TimeSpan.FromHours(1);
        WriteAged(Stray, old);
        var kept = new[]
        {
            WriteAged("src/.fresh.txt.abcdefabcdef.tmp", TimeSpan.Zero), // another process's write may be in flight
            WriteAged(".notes.tmp", old),
            WriteAged("report.0123456789ab.tmp", old),
            WriteAged(".upper.txt.0123456789AB.tmp", old),
            WriteAged(".short.txt.0123456789a.tmp", old),
        };
        var outside = Path.Combine(_tree.Outside, ".o.txt.0123456789ab.tmp");
        File.WriteAllText(outside, "outside");
        File.SetLastWriteTimeUtc(outside, DateTime.UtcNow - old);
        _tree.Link("linked", _tree.Outside);
        using var guard = PathGuard.Create([_tree.Root], "test", FilesystemOptions.DefaultDenyGlobs);

        var removed = StrayTemporaryFileSweep.Sweep(guard, DateTimeOffset.UtcNow - StrayTemporaryFileSweep.MinimumAge, CancellationToken.None);

        Assert.Equal([Stray], removed);
        Assert.False(File.Exists(Path.Combine(_tree.Root, Stray)));
        Assert.All(kept, path => Assert.True(File.Exists(path), path));
        Assert.True(File.Exists(outside));
    }

    [Fact]
    public void A_write_names_its_temporary_file_in_the_shape_the_sweep_removes()
    {
        Assert.True(AtomicFile.IsTemporaryName(AtomicFile.TemporaryName("main.cs")));
        Assert.True(AtomicFile.IsTemporaryName(AtomicFile.TemporaryName(new string('n', 255))));
    }

    [Fact]
    [Trait("Category", "ServerProcess")]
    public async Task A_writable_server_sweeps_its_roots_at_start_up_and_a_read_only_one_leaves_them_alone()
    {
        var stray = WriteAged(Stray, TimeSpan.FromHours(1));
        await using (var readOnly = await ServerProcess.ConnectStdioAsync("Connectors.Filesystem", ["--roots", _tree.Root]))
        {
            await readOnly.ListToolsAsync();
        }

        Assert.True(File.Exists(stray));

        await using var writable = await ServerProcess.ConnectStdioAsync("Connectors.Filesystem", ["--roots", _tree.Root, "--allow-write"]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (File.Exists(stray) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(File.Exists(stray), "the stray temporary file is still there 30 s after start-up");
    }
}
