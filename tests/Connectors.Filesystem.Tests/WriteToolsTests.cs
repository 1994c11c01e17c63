namespace Connectors.Filesystem.Tests;

public sealed class WriteToolsTests : InMemoryFilesystemTests
{
    private static readonly string[] WriteToolNames = ["create_directory", "edit_file", "move_file", "write_file"];

    protected override string[] ServerArguments => ["--roots", Tree.Root, "--allow-write"];

    private string[] LeftoverTemporaryFiles() =>
        [.. Directory.EnumerateFiles(Tree.Base, "*.tmp", SearchOption.AllDirectories)];

    [Fact]
    public async Task Write_tools_are_offered_only_with_allow_write_and_never_in_read_only_mode()
    {
        await using (var readOnly = await InMemoryMcp.StartAsync(FilesystemServer.Create(), ["--roots", Tree.Root]))
        {
            var names = (await readOnly.Client.ListToolsAsync()).Select(t => t.Name).ToList();
            Assert.Empty(names.Intersect(WriteToolNames));
            Assert.Contains("search_content", names);
        }

        await using (var forced = await InMemoryMcp.StartAsync(FilesystemServer.Create(), ["--roots", Tree.Root, "--allow-write", "--read-only"]))
        {
            Assert.Empty((await forced.Client.ListToolsAsync()).Select(t => t.Name).Intersect(WriteToolNames));
        }

        await using var writable = await StartAsync();
        var tools = await writable.Client.ListToolsAsync();
        Assert.Equal(WriteToolNames, tools.Select(t => t.Name).Intersect(WriteToolNames).Order());
        Assert.All(tools.Where(t => WriteToolNames.Contains(t.Name)), t => Assert.False(t.ProtocolTool.Annotations?.ReadOnlyHint));
    }

    [Fact]
    public async Task Write_file_creates_and_replaces_atomically_keeping_permissions()
    {
        await using var mcp = await StartAsync();
        Assert.StartsWith("Created", (await mcp.CallAsync("write_file", new { path = "new.txt", content = "first" })).Text(), StringComparison.Ordinal);

        var path = Path.Combine(Tree.Root, "new.txt");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.StartsWith("Replaced", (await mcp.CallAsync("write_file", new { path = "new.txt", content = "second ✓" })).Text(), StringComparison.Ordinal);
        Assert.Equal("second ✓", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        Assert.Empty(LeftoverTemporaryFiles());
    }

    [Fact]
    public async Task Write_file_writes_through_an_inside_link_but_never_through_dangling_or_outside_links()
    {
        Tree.Write("target.txt", "old");
        Tree.Link("inside-link", "target.txt");
        Tree.Link("dangling", "would-be-created.txt");
        var outside = Tree.WriteOutside("victim.txt", "outside untouched");
        Tree.Link("outside-link", outside);
        Tree.Link("outside-dir", Tree.Outside);
        await using var mcp = await StartAsync();

        await mcp.CallAsync("write_file", new { path = "inside-link", content = "new" });
        Assert.Equal("new", File.ReadAllText(Path.Combine(Tree.Root, "target.txt")));
        Assert.True(File.ResolveLinkTarget(Path.Combine(Tree.Root, "inside-link"), false) is not null, "the link itself stays a link");

        Assert.Equal("invalid_argument", (await mcp.CallAsync("write_file", new { path = "dangling", content = "x" })).ErrorCode());
        Assert.False(File.Exists(Path.Combine(Tree.Root, "would-be-created.txt")));
        Assert.Equal("permission_denied", (await mcp.CallAsync("write_file", new { path = "outside-link", content = "pwned" })).ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("write_file", new { path = "outside-dir/new.txt", content = "pwned" })).ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("write_file", new { path = "../root_evil/victim.txt", content = "pwned" })).ErrorCode());
        Assert.Equal("outside untouched", File.ReadAllText(outside));
        Assert.Equal(["victim.txt"], Directory.GetFileSystemEntries(Tree.Outside).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Write_file_refuses_denied_names_directories_and_missing_parents_leaving_nothing_behind()
    {
        Tree.Write("dir/x.txt", "");
        await using var mcp = await StartAsync();

        Assert.Equal("permission_denied", (await mcp.CallAsync("write_file", new { path = ".env", content = "KEY=1" })).ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("write_file", new { path = "keys/server.key", content = "k" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("write_file", new { path = "dir", content = "x" })).ErrorCode());
        Assert.Equal("not_found", (await mcp.CallAsync("write_file", new { path = "missing/x.txt", content = "x" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("write_file", new { path = ".", content = "x" })).ErrorCode());
        Assert.False(File.Exists(Path.Combine(Tree.Root, ".env")));
        Assert.Empty(LeftoverTemporaryFiles());
    }

    [Fact]
    public async Task Edit_file_replaces_exact_text_and_returns_a_unified_diff()
    {
        var path = Tree.Write("code.py", "def a():\n    return 1\n\ndef b():\n    return 2\n");
        await using var mcp = await StartAsync();

        var diff = (await mcp.CallAsync("edit_file", new { path = "code.py", edits = new[] { new { oldText = "return 2", newText = "return 3" } } })).Text();
        Assert.Equal("def a():\n    return 1\n\ndef b():\n    return 3\n", File.ReadAllText(path));
        Assert.Contains($"--- {path}\n+++ {path}\n@@ -2,4 +2,4 @@\n     return 1\n \n def b():\n-    return 2\n+    return 3\n", diff, StringComparison.Ordinal);
        Assert.StartsWith("```diff\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_file_dry_run_changes_nothing()
    {
        var path = Tree.Write("a.txt", "one\ntwo\n");
        await using var mcp = await StartAsync();
        var text = (await mcp.CallAsync("edit_file", new { path = "a.txt", edits = new[] { new { oldText = "two", newText = "2" } }, dryRun = true })).Text();
        Assert.Contains("-two\n+2\n", text, StringComparison.Ordinal);
        Assert.Equal("one\ntwo\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Edit_file_matches_ignoring_indentation_and_keeps_the_files_indentation()
    {
        var path = Tree.Write("a.cs", "class A\n{\n        void M()\n        {\n            Old();\n        }\n}\n");
        await using var mcp = await StartAsync();

        var edit = new { oldText = "void M()\n{\n    Old();\n}", newText = "void M()\n{\n    New();\n    More();\n}" };
        var result = await mcp.CallAsync("edit_file", new { path = "a.cs", edits = new[] { edit } });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("class A\n{\n        void M()\n        {\n            New();\n            More();\n        }\n}\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Edit_file_refuses_ambiguous_or_missing_text_and_applies_all_edits_or_none()
    {
        var path = Tree.Write("a.txt", "x = 1\nx = 1\ny = 2\n");
        await using var mcp = await StartAsync();

        var ambiguous = await mcp.CallAsync("edit_file", new { path = "a.txt", edits = new[] { new { oldText = "x = 1", newText = "x = 9" } } });
        Assert.Equal("invalid_argument", ambiguous.ErrorCode());
        Assert.Contains("matches 2 places", ambiguous.Text(), StringComparison.Ordinal);

        var partial = await mcp.CallAsync("edit_file", new
        {
            path = "a.txt",
            edits = new[] { new { oldText = "y = 2", newText = "y = 3" }, new { oldText = "z = 0", newText = "z = 1" } },
        });
        Assert.Equal("invalid_argument", partial.ErrorCode());
        Assert.Equal("edits[1].oldText", partial.ErrorField("argument").GetString());
        Assert.Equal("x = 1\nx = 1\ny = 2\n", File.ReadAllText(path));
        Assert.Empty(LeftoverTemporaryFiles());
    }

    [Fact]
    public async Task Edit_file_keeps_crlf_line_endings_and_a_bom()
    {
        var path = Path.Combine(Tree.Root, "win.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "one\r\ntwo\r\n"u8.ToArray()]);
        await using var mcp = await StartAsync();

        await mcp.CallAsync("edit_file", new { path = "win.txt", edits = new[] { new { oldText = "two\n", newText = "zwei\ndrei\n" } } });
        Assert.Equal([0xEF, 0xBB, 0xBF, .. "one\r\nzwei\r\ndrei\r\n"u8.ToArray()], File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Create_directory_makes_parents_and_is_idempotent()
    {
        Tree.Write("file.txt", "");
        await using var mcp = await StartAsync();

        Assert.StartsWith("Created", (await mcp.CallAsync("create_directory", new { path = "a/b/c" })).Text(), StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(Tree.Root, "a/b/c")));
        Assert.Contains("already exists", (await mcp.CallAsync("create_directory", new { path = "a/b/c" })).Text(), StringComparison.Ordinal);
        Assert.Equal("invalid_argument", (await mcp.CallAsync("create_directory", new { path = "file.txt/sub" })).ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("create_directory", new { path = "../root_evil/new" })).ErrorCode());
        Tree.Link("out", Tree.Outside);
        Assert.Equal("permission_denied", (await mcp.CallAsync("create_directory", new { path = "out/new" })).ErrorCode());
        Assert.Empty(Directory.GetDirectories(Tree.Outside));
    }

    [Fact]
    public async Task Move_file_renames_refuses_to_overwrite_unless_told_and_stays_inside()
    {
        Tree.Write("a.txt", "A");
        Tree.Write("b.txt", "B");
        Tree.Write("dir/inner.txt", "");
        await using var mcp = await StartAsync();

        var exists = await mcp.CallAsync("move_file", new { source = "a.txt", destination = "b.txt" });
        Assert.Equal("already_exists", exists.ErrorCode());
        Assert.Equal("B", File.ReadAllText(Path.Combine(Tree.Root, "b.txt")));

        await mcp.CallAsync("move_file", new { source = "a.txt", destination = "b.txt", overwrite = true });
        Assert.Equal("A", File.ReadAllText(Path.Combine(Tree.Root, "b.txt")));
        Assert.False(File.Exists(Path.Combine(Tree.Root, "a.txt")));

        await mcp.CallAsync("move_file", new { source = "b.txt", destination = "dir/moved.txt" });
        Assert.True(File.Exists(Path.Combine(Tree.Root, "dir/moved.txt")));

        Assert.Equal("permission_denied", (await mcp.CallAsync("move_file", new { source = "dir/moved.txt", destination = "../root_evil/stolen.txt" })).ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("move_file", new { source = "dir/moved.txt", destination = "id_rsa" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("move_file", new { source = "dir", destination = "dir/sub" })).ErrorCode());
        Assert.Equal("not_found", (await mcp.CallAsync("move_file", new { source = "nope", destination = "x" })).ErrorCode());
        Assert.Equal("invalid_argument", (await mcp.CallAsync("move_file", new { source = ".", destination = "x" })).ErrorCode());
        Assert.Empty(Directory.GetFileSystemEntries(Tree.Outside));
    }
}
