namespace Connectors.Filesystem.Tests;

public sealed class DirectoryAndSearchToolsTests : InMemoryFilesystemTests
{
    [Fact]
    public async Task List_directory_describes_links_and_hides_denied_files()
    {
        Tree.Write("src/a.cs", "");
        Tree.Write(".env", "KEY=1");
        Tree.Link("to-src", "src");
        Tree.Link("to-outside", Tree.Outside);
        Tree.Link("dangling", "gone");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("list_directory", new { path = "." })).Text();
        Assert.Equal("[LINK] dangling (dangling link)\n[DIR] src\n[LINK] to-outside (link out of the allowed directories: refused)\n[LINK] to-src (link to a directory)\n", text);
    }

    [Fact]
    public async Task A_ten_thousand_entry_directory_is_listed_in_pages_with_the_total()
    {
        var big = Directory.CreateDirectory(Path.Combine(Tree.Root, "big")).FullName;
        for (var i = 0; i < 10_000; i++)
        {
            File.WriteAllBytes(Path.Combine(big, $"f{i:D5}"), []);
        }

        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("list_directory", new { path = "big" });
        var first = result.Text();
        Assert.Contains("of 10,000", first, StringComparison.Ordinal);
        Assert.Contains("offset=1000", first, StringComparison.Ordinal);
        Assert.StartsWith("[FILE] f00000\n", first, StringComparison.Ordinal);
        // The structured listing holds the same page and says the same about the rest.
        var listing = result.StructuredContent!.Value;
        Assert.Equal(1000, listing.GetProperty("entries").GetArrayLength());
        Assert.Equal("f00000", listing.GetProperty("entries")[0].GetProperty("name").GetString());
        Assert.Equal(10_000, listing.GetProperty("total").GetInt32());
        Assert.True(listing.GetProperty("truncated").GetBoolean());
        Assert.Equal(1000, listing.GetProperty("nextOffset").GetInt32());

        var last = (await mcp.CallAsync("list_directory", new { path = "big", offset = 9_999 })).Text();
        Assert.Equal("[FILE] f09999\n", last);
    }

    [Fact]
    public async Task List_directory_with_sizes_sorts_by_size_and_totals()
    {
        Tree.Write("small.txt", "1");
        Tree.Write("large.txt", new string('x', 2048));
        Tree.Write("sub/x.txt", "");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("list_directory_with_sizes", new { path = ".", sortBy = "size" })).Text();
        var lines = text.Split('\n');
        Assert.StartsWith("[FILE] large.txt", lines[0], StringComparison.Ordinal);
        Assert.Contains("2.00 KB", lines[0], StringComparison.Ordinal);
        Assert.Contains("Total: 2 files, 1 directories", text, StringComparison.Ordinal);
        Assert.Contains("Combined size: 2.00 KB", text, StringComparison.Ordinal);
        Assert.Equal("invalid_argument", (await mcp.CallAsync("list_directory_with_sizes", new { path = ".", sortBy = "date" })).ErrorCode());
    }

    [Fact]
    public async Task Directory_tree_is_json_honours_excludes_and_marks_what_max_depth_hid()
    {
        Tree.Touch("src/app/main.cs", "src/readme.md", "node_modules/pkg/index.js");
        Tree.Link("link", "src");
        await using var mcp = await StartAsync();

        var json = JsonDocument.Parse((await mcp.CallAsync("directory_tree", new { path = ".", excludePatterns = new[] { "node_modules" }, max_depth = 2 })).Text()).RootElement;
        Assert.Equal(["link", "src"], json.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("symlink", json[0].GetProperty("type").GetString());
        var src = json[1];
        Assert.Equal("directory", src.GetProperty("type").GetString());
        var app = src.GetProperty("children")[0];
        Assert.Equal("app", app.GetProperty("name").GetString());
        Assert.True(app.GetProperty("truncated").GetBoolean());
        Assert.Equal("readme.md", src.GetProperty("children")[1].GetProperty("name").GetString());
        Assert.False(src.GetProperty("children")[1].TryGetProperty("children", out _));
    }

    [Fact]
    public async Task Directory_tree_of_a_large_tree_is_cut_at_the_entry_limit_and_says_how_to_go_on()
    {
        for (var d = 0; d < 30; d++)
        {
            for (var f = 0; f < 30; f++)
            {
                Tree.Write($"d{d:D2}/f{f:D2}.txt", "");
            }
        }

        await using var mcp = await StartAsync("--max-entries", "100");
        var result = await mcp.CallAsync("directory_tree", new { path = "." });
        var text = result.Text();
        var json = text[..(text.IndexOf("\n[Tree cut", StringComparison.Ordinal))];
        var tree = JsonDocument.Parse(json).RootElement;
        Assert.Contains("Tree cut after 100 entries", text, StringComparison.Ordinal);
        Assert.True(tree.EnumerateArray().Last().GetProperty("truncated").GetBoolean());
        var structured = result.StructuredContent!.Value;
        Assert.True(structured.GetProperty("truncated").GetBoolean());
        Assert.Equal(100, structured.GetProperty("entries").GetInt32());
        Assert.Equal(json, structured.GetProperty("tree").GetRawText());
    }

    [Fact]
    public async Task Directory_tree_of_a_deep_tree_stops_at_max_depth()
    {
        Tree.Write(string.Join('/', Enumerable.Repeat("deep", 300)) + "/leaf.txt", "");
        await using var mcp = await StartAsync();
        var text = (await mcp.CallAsync("directory_tree", new { path = "." })).Text();
        Assert.Equal(10, CountOccurrences(text, "\"name\":\"deep\""));
        Assert.Contains("\"truncated\":true", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_files_matches_globs_on_the_relative_path()
    {
        Tree.Touch("top.cs", "src/a.cs", "src/deep/b.cs", "src/c.txt", "bin/gen.cs", ".hidden/d.cs");
        Tree.Link("out", Tree.Outside);
        Tree.WriteOutside("x.cs", "");
        await using var mcp = await StartAsync();

        async Task<string[]> Search(string pattern, string[]? exclude = null) =>
            (await mcp.CallAsync("search_files", new { path = ".", pattern, excludePatterns = exclude ?? [] })).Text()
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Path.GetRelativePath(Tree.Root, l)).ToArray();

        Assert.Equal(["top.cs"], await Search("*.cs"));
        Assert.Equal([".hidden/d.cs", "bin/gen.cs", "src/a.cs", "src/deep/b.cs", "top.cs"], await Search("**/*.cs"));
        Assert.Equal(["src/a.cs", "src/deep/b.cs"], await Search("src/**/*.cs"));
        Assert.Equal(["src/a.cs", "src/c.txt"], await Search("src/*.{cs,txt}"));
        Assert.Equal([".hidden/d.cs", "src/a.cs", "src/deep/b.cs", "top.cs"], await Search("**/*.cs", ["bin"]));
        Assert.Contains("No matches found", (await mcp.CallAsync("search_files", new { path = ".", pattern = "**/*.java" })).Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_files_results_continue_by_offset()
    {
        for (var i = 0; i < 50; i++)
        {
            Tree.Write($"f{i:D2}.txt", "");
        }

        await using var mcp = await StartAsync("--max-entries", "20");
        var first = (await mcp.CallAsync("search_files", new { path = ".", pattern = "*.txt" })).Text();
        Assert.Contains("50 matches; showing 1-20", first, StringComparison.Ordinal);
        var third = (await mcp.CallAsync("search_files", new { path = ".", pattern = "*.txt", offset = 40 })).Text();
        Assert.StartsWith(Path.Combine(Tree.Root, "f40.txt"), third, StringComparison.Ordinal);
        Assert.DoesNotContain("showing", third, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_content_finds_literals_with_line_numbers_and_context()
    {
        Tree.Write("src/a.cs", "using System;\nclass A\n{\n    // TODO: fix\n}\n");
        Tree.Write("src/b.cs", "class B { } // todo later\n");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("search_content", new { path = ".", pattern = "TODO" })).Text();
        Assert.Contains($"{Tree.Root}/src/a.cs:4: " + "    // TODO: fix\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("b.cs", text, StringComparison.Ordinal);
        Assert.Contains("1 matching lines", text, StringComparison.Ordinal);

        var ignoringCase = (await mcp.CallAsync("search_content", new { path = ".", pattern = "todo", ignore_case = true })).Text();
        Assert.Contains("a.cs:4:", ignoringCase, StringComparison.Ordinal);
        Assert.Contains("b.cs:1:", ignoringCase, StringComparison.Ordinal);

        var withContext = (await mcp.CallAsync("search_content", new { path = ".", pattern = "TODO", context_lines = 1 })).Text();
        TextAssert.ContainsAll(withContext, "a.cs-3- {\n", "a.cs:4:     // TODO: fix\n", "a.cs-5- }\n");
    }

    [Fact]
    public async Task Search_content_takes_regular_expressions_and_refuses_bad_or_backtracking_ones()
    {
        Tree.Write("log.txt", "error 404\nwarning 12\nerror 500\n");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("search_content", new { path = ".", pattern = @"^error \d{3}$", regex = true })).Text();
        Assert.Contains("log.txt:1: error 404", text, StringComparison.Ordinal);
        Assert.Contains("log.txt:3: error 500", text, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", text, StringComparison.Ordinal);

        Assert.Equal("invalid_argument", (await mcp.CallAsync("search_content", new { path = ".", pattern = "(unclosed", regex = true })).ErrorCode());
        var backtracking = await mcp.CallAsync("search_content", new { path = ".", pattern = @"(a)\1", regex = true });
        Assert.Equal("invalid_argument", backtracking.ErrorCode());
        Assert.Contains("backtracking", backtracking.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_content_skips_binary_ignored_and_denied_files_unless_told()
    {
        Tree.Write(".gitignore", "*.log\n/generated/\n!keep.log\n");
        Tree.Write("app.txt", "needle in app\n");
        Tree.Write("debug.log", "needle in log\n");
        Tree.Write("keep.log", "needle kept\n");
        Tree.Write("generated/out.txt", "needle generated\n");
        Tree.Write("sub/.gitignore", "local.txt\n");
        Tree.Write("sub/local.txt", "needle local\n");
        Tree.Write("node_modules/pkg/index.js", "needle module\n");
        Tree.Write("obj/x.txt", "needle obj\n");
        Tree.Write(".env", "needle secret\n");
        File.WriteAllBytes(Path.Combine(Tree.Root, "blob.bin"), [.. Encoding.UTF8.GetBytes("needle"), 0, 1, 2]);
        Tree.Link("outside", Tree.Outside);
        Tree.WriteOutside("leak.txt", "needle outside\n");
        await using var mcp = await StartAsync();

        var text = (await mcp.CallAsync("search_content", new { path = ".", pattern = "needle" })).Text();
        Assert.Contains("needle in app", text, StringComparison.Ordinal);
        Assert.Contains("needle kept", text, StringComparison.Ordinal);
        foreach (var absent in new[] { "in log", "generated", "local", "module", "obj", "secret", "outside" })
        {
            Assert.DoesNotContain("needle " + absent, text, StringComparison.Ordinal);
        }

        Assert.Contains("skipped 1 binary", text, StringComparison.Ordinal);

        var all = (await mcp.CallAsync("search_content", new { path = ".", pattern = "needle", include_ignored = true })).Text();
        foreach (var present in new[] { "in log", "generated", "local", "module", "obj" })
        {
            Assert.Contains("needle " + present, all, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("needle secret", all, StringComparison.Ordinal);
        Assert.DoesNotContain("needle outside", all, StringComparison.Ordinal);

        var onlyLogs = (await mcp.CallAsync("search_content", new { path = ".", pattern = "needle", file_pattern = "*.log", include_ignored = true })).Text();
        Assert.Contains("needle in log", onlyLogs, StringComparison.Ordinal);
        Assert.DoesNotContain("needle in app", onlyLogs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_content_stops_at_max_results_and_continues_by_offset_in_a_stable_order()
    {
        for (var f = 0; f < 20; f++)
        {
            Tree.Write($"f{f:D2}.txt", string.Concat(Enumerable.Range(1, 10).Select(l => $"hit {f:D2}-{l:D2}\n")));
        }

        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("search_content", new { path = ".", pattern = "hit", max_results = 15 });
        var first = result.Text();
        Assert.Contains("f00.txt:1: hit 00-01", first, StringComparison.Ordinal);
        Assert.Contains("f01.txt:5: hit 01-05", first, StringComparison.Ordinal);
        Assert.DoesNotContain("hit 01-06", first, StringComparison.Ordinal);
        Assert.Contains("offset=15", first, StringComparison.Ordinal);
        var hits = result.StructuredContent!.Value;
        Assert.Equal(15, hits.GetProperty("hits").GetArrayLength());
        Assert.Equal("hit 01-05", hits.GetProperty("hits")[14].GetProperty("lines")[0].GetProperty("text").GetString());
        Assert.True(hits.GetProperty("truncated").GetBoolean());
        Assert.Equal(15, hits.GetProperty("nextOffset").GetInt32());

        var next = (await mcp.CallAsync("search_content", new { path = ".", pattern = "hit", max_results = 15, offset = 15 })).Text();
        Assert.StartsWith($"{Tree.Root}/f01.txt:6: hit 01-06", next, StringComparison.Ordinal);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
