namespace Connectors.Filesystem.Tests;

public sealed class FilesystemToolsTests : InMemoryFilesystemTests
{
    [Fact]
    public async Task List_allowed_directories_shows_the_canonical_roots()
    {
        await using var mcp = await StartAsync();
        var text = (await mcp.CallAsync("list_allowed_directories")).Text();
        Assert.Contains(Tree.Root, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_directory_marks_files_and_directories_sorted_by_name()
    {
        Tree.Write("b.txt", "b");
        Tree.Write("a/inner.txt", "x");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("list_directory", new { path = Tree.Root })).Text();
        Assert.Equal("[DIR] a\n[FILE] b.txt\n", text);
        Assert.Equal("[FILE] inner.txt\n", (await mcp.CallAsync("list_directory", new { path = "a" })).Text());
    }

    [Fact]
    public async Task A_long_listing_is_cut_and_says_which_offset_continues_it()
    {
        for (var i = 0; i < 400; i++)
        {
            Tree.Write($"file-with-a-fairly-long-name-{i:D4}.txt", "");
        }

        await using var mcp = await StartAsync("--max-output-bytes", "4096");
        var result = await mcp.CallAsync("list_directory", new { path = "." });
        var first = result.Text();
        var shown = first.Split('\n').Count(l => l.StartsWith("[FILE]", StringComparison.Ordinal));
        Assert.InRange(shown, 10, 399);
        Assert.Contains($"offset={shown}", first, StringComparison.Ordinal);
        // Cut by the output budget: the structured listing holds what the text shows.
        Assert.Equal(shown, result.StructuredContent!.Value.GetProperty("entries").GetArrayLength());
        Assert.Equal(shown, result.StructuredContent!.Value.GetProperty("nextOffset").GetInt32());

        var next = (await mcp.CallAsync("list_directory", new { path = ".", offset = shown })).Text();
        Assert.StartsWith($"[FILE] file-with-a-fairly-long-name-{shown:D4}.txt", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_text_file_reads_whole_files_and_line_ranges()
    {
        Tree.Write("lines.txt", string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n")));
        await using var mcp = await StartAsync();

        Assert.Equal(string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n")), (await mcp.CallAsync("read_text_file", new { path = "lines.txt" })).Text());
        Assert.Equal("line 1\nline 2\n", (await mcp.CallAsync("read_text_file", new { path = "lines.txt", head = 2 })).Text());
        Assert.Equal("line 9\nline 10\n", (await mcp.CallAsync("read_text_file", new { path = "lines.txt", tail = 2 })).Text());
        Assert.Equal("line 4\nline 5\nline 6\n", (await mcp.CallAsync("read_text_file", new { path = "lines.txt", offset = 4, limit = 3 })).Text());
    }

    [Fact]
    public async Task A_large_file_is_cut_and_the_offset_in_the_note_continues_exactly_where_it_stopped()
    {
        var content = string.Concat(Enumerable.Range(1, 5000).Select(i => $"row {i:D5} {new string('é', 30)}\n"));
        Tree.Write("big.txt", content);
        await using var mcp = await StartAsync("--max-output-bytes", "8192");

        var first = (await mcp.CallAsync("read_text_file", new { path = "big.txt" })).Text();
        Assert.True(Encoding.UTF8.GetByteCount(first) <= 8192);
        var rows = first.Split('\n').Where(l => l.StartsWith("row ", StringComparison.Ordinal)).ToList();
        Assert.Contains($"offset={rows.Count + 1}", first, StringComparison.Ordinal);

        var next = (await mcp.CallAsync("read_text_file", new { path = "big.txt", offset = rows.Count + 1, limit = 1 })).Text();
        Assert.Equal($"row {rows.Count + 1:D5} {new string('é', 30)}\n", next);
    }

    [Theory]
    [InlineData("../root_evil/secret.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../root_evil/secret.txt")]
    public async Task Paths_outside_the_roots_are_refused(string path)
    {
        File.WriteAllText(Path.Combine(Tree.Outside, "secret.txt"), "top secret");
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("read_text_file", new { path });
        Assert.Equal("permission_denied", result.ErrorCode());
        Assert.DoesNotContain("top secret", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sibling_directory_sharing_the_root_name_prefix_is_outside()
    {
        File.WriteAllText(Path.Combine(Tree.Outside, "secret.txt"), "top secret");
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("read_text_file", new { path = Path.Combine(Tree.Outside, "secret.txt") });
        Assert.Equal("permission_denied", result.ErrorCode());
    }

    [Fact]
    public async Task A_symlink_pointing_out_of_the_root_is_refused_without_revealing_its_target()
    {
        File.WriteAllText(Path.Combine(Tree.Outside, "secret.txt"), "top secret");
        File.CreateSymbolicLink(Path.Combine(Tree.Root, "escape.txt"), Path.Combine(Tree.Outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Tree.Root, "escape-dir"), Tree.Outside);
        await using var mcp = await StartAsync();

        var file = await mcp.CallAsync("read_text_file", new { path = "escape.txt" });
        Assert.Equal("permission_denied", file.ErrorCode());
        Assert.DoesNotContain("root_evil", file.Text(), StringComparison.Ordinal);

        var dir = await mcp.CallAsync("list_directory", new { path = "escape-dir" });
        Assert.Equal("permission_denied", dir.ErrorCode());
    }

    [Fact]
    public async Task Missing_files_binary_files_and_wrong_kinds_get_clear_errors()
    {
        File.WriteAllBytes(Path.Combine(Tree.Root, "image.bin"), [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]);
        Tree.Write("dir/file.txt", "x");
        await using var mcp = await StartAsync();

        Assert.Equal("not_found", (await mcp.CallAsync("read_text_file", new { path = "missing.txt" })).ErrorCode());
        var binary = await mcp.CallAsync("read_text_file", new { path = "image.bin" });
        Assert.Equal("invalid_argument", binary.ErrorCode());
        Assert.Contains("binary", binary.Text(), StringComparison.Ordinal);
        Assert.Equal("invalid_argument", (await mcp.CallAsync("read_text_file", new { path = "dir" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("list_directory", new { path = "dir/file.txt" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("read_text_file", new { path = "dir/file.txt", head = 1, tail = 1 })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("read_text_file", new { path = "dir/file.txt", offset = 0 })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("read_text_file", new { path = "a\0b" })).ErrorCode());
    }

    [Fact]
    public async Task A_missing_root_stops_the_server_at_start()
    {
        var error = await Assert.ThrowsAsync<Connectors.Hosting.Configuration.ConnectorConfigurationException>(() =>
            InMemoryMcp.StartAsync(FilesystemServer.Create(), ["--roots", Path.Combine(Tree.Base, "nope")]));
        Assert.Contains("is not an existing directory", error.Message, StringComparison.Ordinal);
    }
}
