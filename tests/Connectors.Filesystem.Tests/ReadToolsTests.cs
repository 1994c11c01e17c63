namespace Connectors.Filesystem.Tests;

public sealed class ReadToolsTests : InMemoryFilesystemTests
{
    [Fact]
    public async Task Read_media_file_returns_images_and_audio_with_their_mime_type()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
        File.WriteAllBytes(Path.Combine(Tree.Root, "pixel.png"), png);
        File.WriteAllBytes(Path.Combine(Tree.Root, "sound.mp3"), [0x49, 0x44, 0x33, 0]);
        File.WriteAllBytes(Path.Combine(Tree.Root, "doc.pdf"), [0x25, 0x50, 0x44, 0x46]);
        await using var mcp = await StartAsync();

        var image = Assert.IsType<ImageContentBlock>(Assert.Single((await mcp.CallAsync("read_media_file", new { path = "pixel.png" })).Content));
        Assert.Equal("image/png", image.MimeType);
        Assert.Equal(png, image.DecodedData.ToArray());

        var audio = Assert.IsType<AudioContentBlock>(Assert.Single((await mcp.CallAsync("read_media_file", new { path = "sound.mp3" })).Content));
        Assert.Equal("audio/mpeg", audio.MimeType);

        var other = Assert.IsType<EmbeddedResourceBlock>(Assert.Single((await mcp.CallAsync("read_media_file", new { path = "doc.pdf" })).Content));
        Assert.Equal("application/pdf", other.Resource.MimeType);
    }

    [Fact]
    public async Task Media_larger_than_the_read_limit_is_refused_with_its_size()
    {
        File.WriteAllBytes(Path.Combine(Tree.Root, "big.png"), new byte[10_000]);
        await using var mcp = await StartAsync("--max-read-bytes", "4096");
        var result = await mcp.CallAsync("read_media_file", new { path = "big.png" });
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Contains("10,000 bytes", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_longer_than_the_read_limit_is_cut_and_the_answer_says_where_to_go_on()
    {
        // A one-line 3 MB file (a minified bundle): the read holds at most the limit of it, not the whole line.
        Tree.Write("bundle.min.js", "first\n" + new string('x', 3_000_000) + "\nafter the long line\n");
        await using var mcp = await StartAsync("--max-read-bytes", "4096");

        var text = (await mcp.CallAsync("read_text_file", new { path = "bundle.min.js" })).Text();

        Assert.StartsWith("first\n" + new string('x', 4000), text, StringComparison.Ordinal);
        Assert.True(text.Length < 10_000, $"answer of {text.Length} chars");
        Assert.Contains("Line 2 is longer than the 4,096-byte read limit", text, StringComparison.Ordinal);
        Assert.Contains("offset=3", text, StringComparison.Ordinal);
        Assert.Equal("after the long line\n", (await mcp.CallAsync("read_text_file", new { path = "bundle.min.js", offset = 3 })).Text());
    }

    [Fact]
    public async Task Lines_before_the_offset_are_skipped_whatever_their_length_and_crlf_endings_are_read_as_lines()
    {
        Tree.Write("mixed.txt", new string('y', 2_000_000) + "\r\nsecond\r\nthird\n");
        await using var mcp = await StartAsync("--max-read-bytes", "4096");

        Assert.Equal("second\nthird\n", (await mcp.CallAsync("read_text_file", new { path = "mixed.txt", offset = 2 })).Text());
    }

    [Fact]
    public async Task Read_multiple_files_shows_each_file_and_reports_failures_inline()
    {
        Tree.Write("a.txt", "alpha\n");
        Tree.Write("b.txt", "beta\n");
        await using var mcp = await StartAsync();

        var result = await mcp.CallAsync("read_multiple_files", new { paths = new[] { "a.txt", "missing.txt", "/etc/passwd", "b.txt" } });
        Assert.NotEqual(true, result.IsError);
        var text = result.Text();
        TextAssert.ContainsAll(text, "a.txt:\nalpha\n", "b.txt:\nbeta\n", "missing.txt:\nError [not_found]", "/etc/passwd:\nError [permission_denied]");
        Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_multiple_files_shares_the_budget_so_one_big_file_does_not_hide_the_others()
    {
        Tree.Write("big.txt", string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n")));
        Tree.Write("small.txt", "small\n");
        await using var mcp = await StartAsync("--max-output-bytes", "8192");

        var text = (await mcp.CallAsync("read_multiple_files", new { paths = new[] { "big.txt", "small.txt" } })).Text();
        Assert.Contains("small.txt:\nsmall\n", text, StringComparison.Ordinal);
        Assert.Contains("path='big.txt' and offset=", text, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= 8192);
    }

    [Fact]
    public async Task Get_file_info_reports_type_size_permissions_and_links()
    {
        var file = Tree.Write("info.txt", "12345");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Tree.Link("info-link", "info.txt");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("get_file_info", new { path = "info.txt" })).Text();
        TextAssert.ContainsAll(text, "type: file\n", "size: 5\n", "permissions: 640\n", "isFile: true\n", "modified: ");

        var link = (await mcp.CallAsync("get_file_info", new { path = "info-link" })).Text();
        Assert.Contains("symbolicLink: true\n", link, StringComparison.Ordinal);
        Assert.Contains($"path: {file}\n", link, StringComparison.Ordinal);

        Assert.Contains("type: directory\n", (await mcp.CallAsync("get_file_info", new { path = "." })).Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hardlink_to_an_outside_file_is_reported_and_writing_it_never_changes_the_outside_file()
    {
        // Stance: a hard link is the same file under another name; whoever made it inside a root shared it on purpose,
        // so it reads. get_file_info shows the link count, and writes replace the name (rename), never the shared inode.
        var outside = Tree.WriteOutside("shared.txt", "outside original");
        var inside = Path.Combine(Tree.Root, "hard.txt");
        using (var ln = System.Diagnostics.Process.Start("ln", [outside, inside])!)
        {
            await ln.WaitForExitAsync();
        }

        await using var mcp = await StartAsync("--allow-write");
        Assert.Contains("links: 2\n", (await mcp.CallAsync("get_file_info", new { path = "hard.txt" })).Text(), StringComparison.Ordinal);

        await mcp.CallAsync("write_file", new { path = "hard.txt", content = "rewritten" });
        Assert.Equal("rewritten", File.ReadAllText(inside));
        Assert.Equal("outside original", File.ReadAllText(outside));
    }

    [Fact]
    public async Task Tail_of_a_huge_sparse_file_reads_from_the_end_and_stays_bounded()
    {
        var path = Path.Combine(Tree.Root, "huge.log");
        using (var stream = File.Create(path))
        {
            stream.Write(Encoding.UTF8.GetBytes("first line\n" + string.Concat(Enumerable.Repeat("text that keeps the head free of NUL bytes\n", 400))));
            stream.SetLength(3L * 1024 * 1024 * 1024); // 3 GB, sparse: no disk used
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.UTF8.GetBytes("\nsecond to last\nlast line\n"));
        }

        await using var mcp = await StartAsync();
        Assert.Equal("second to last\nlast line\n", (await mcp.CallAsync("read_text_file", new { path = "huge.log", tail = 2 })).Text());
        var head = (await mcp.CallAsync("read_text_file", new { path = "huge.log", head = 1 })).Text();
        Assert.Equal("first line\n", head);
    }

    [Fact]
    public async Task Invalid_utf8_is_read_with_replacement_characters()
    {
        File.WriteAllBytes(Path.Combine(Tree.Root, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x0A]);
        await using var mcp = await StartAsync();
        Assert.Equal("caf\uFFFD\n", (await mcp.CallAsync("read_text_file", new { path = "latin1.txt" })).Text());
    }

    [Fact]
    public async Task The_deprecated_read_file_name_still_reads()
    {
        Tree.Write("old.txt", "one\ntwo\n");
        await using var mcp = await StartAsync();
        Assert.Equal("two\n", (await mcp.CallAsync("read_file", new { path = "old.txt", tail = 1 })).Text());
    }

    [Fact]
    public async Task Files_are_readable_as_resources_behind_the_same_guard()
    {
        var file = Tree.Write("notes/readme.md", "# hello\n");
        Tree.Write(".env", "SECRET=1");
        Tree.WriteOutside("secret.txt", "nope");
        await using var mcp = await StartAsync();

        var templates = await mcp.Client.ListResourceTemplatesAsync();
        Assert.Contains(templates, t => t.UriTemplate == "file://{+path}");

        var contents = await mcp.Client.ReadResourceAsync(new Uri("file://" + file).AbsoluteUri);
        var text = Assert.IsType<TextResourceContents>(Assert.Single(contents.Contents));
        Assert.Equal("# hello\n", text.Text);
        Assert.Equal("text/markdown", text.MimeType);

        var spaced = Tree.Write("with space.txt", "spaced");
        Assert.Equal("spaced", Assert.IsType<TextResourceContents>(Assert.Single((await mcp.Client.ReadResourceAsync(new Uri("file://" + spaced).AbsoluteUri)).Contents)).Text);

        foreach (var denied in new[] { Path.Combine(Tree.Outside, "secret.txt"), Path.Combine(Tree.Root, ".env"), Tree.Root + "/../root_evil/secret.txt" })
        {
            var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => mcp.Client.ReadResourceAsync("file://" + denied).AsTask());
            Assert.Contains("Access denied", error.Message, StringComparison.Ordinal);
        }
    }
}
