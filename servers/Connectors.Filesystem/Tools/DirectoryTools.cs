using System.Globalization;
using System.Text;
using System.Text.Json;
using Connectors.Filesystem.Native;
using ModelContextProtocol;

namespace Connectors.Filesystem.Tools;

/// <summary>Tools that list directories. Listings read the directory through its handle; links are described, not followed out.</summary>
[McpServerToolType]
public sealed class DirectoryTools(PathGuard guard, OutputBudget budget, FilesystemLimits limits)
{
    private const int DefaultTreeDepth = 10;

    [McpServerTool(Name = "list_directory", Title = "List directory", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DirectoryListing))]
    [Description("Lists the entries of a directory, one per line, marked [DIR], [FILE] or [LINK], sorted by name.")]
    public CallToolResult ListDirectory(
        [Description("Directory to list.")] string path,
        [Description("Skip this many entries (to continue a cut listing). Default 0.")] int offset = 0)
    {
        var (entries, directory) = ReadEntries(path, offset);
        if (entries.Count == 0)
        {
            return Listing($"{directory} is empty.", directory, entries, offset, 0);
        }

        var text = new StringBuilder();
        foreach (var entry in entries.Skip(offset).Take(limits.MaxEntries))
        {
            text.Append(entry.Label).Append(' ').Append(entry.Name).Append(entry.Note).Append('\n');
        }

        return Finish(text, directory, entries, offset, "list_directory");
    }

    [McpServerTool(Name = "list_directory_with_sizes", Title = "List directory with sizes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DirectoryListing))]
    [Description("Lists the entries of a directory with file sizes, sorted by name or size, followed by totals.")]
    public CallToolResult ListDirectoryWithSizes(
        [Description("Directory to list.")] string path,
        [Description("Sort entries by 'name' (default) or 'size' (largest first).")] string sortBy = "name",
        [Description("Skip this many entries (to continue a cut listing). Default 0.")] int offset = 0)
    {
        if (sortBy is not ("name" or "size"))
        {
            throw ConnectorException.InvalidArgument(nameof(sortBy), "must be 'name' or 'size'.");
        }

        var (entries, directory) = ReadEntries(path, offset);
        if (sortBy == "size")
        {
            entries = [.. entries.OrderByDescending(e => e.Size).ThenBy(e => e.Name, StringComparer.Ordinal)];
        }

        var text = new StringBuilder();
        foreach (var entry in entries.Skip(offset).Take(limits.MaxEntries))
        {
            text.Append(entry.Label).Append(' ').Append(entry.Name.PadRight(30))
                .Append(entry.Kind == FileKind.File ? " " + FormatSize(entry.Size).PadLeft(10) : "").Append(entry.Note).Append('\n');
        }

        var files = entries.Count(e => e.Kind == FileKind.File);
        text.Append('\n').Append(CultureInfo.InvariantCulture, $"Total: {files} files, {entries.Count(e => e.Kind == FileKind.Directory)} directories\n")
            .Append(CultureInfo.InvariantCulture, $"Combined size: {FormatSize(entries.Where(e => e.Kind == FileKind.File).Sum(e => e.Size))}\n");
        return Finish(text, directory, entries, offset, "list_directory_with_sizes");
    }

    [McpServerTool(Name = "directory_tree", Title = "Directory tree", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DirectoryTreeResult))]
    [Description("Returns a recursive tree of a directory as JSON: [{\"name\", \"type\": \"file\"|\"directory\"|\"symlink\", \"children\"}]. Bounded by max_depth and the server's entry limit; a directory whose contents were not listed has \"truncated\": true.")]
    public CallToolResult DirectoryTree(
        [Description("Directory at the top of the tree.")] string path,
        [Description("Globs of paths to leave out, e.g. node_modules or **/*.log (a name matches at any depth).")] string[]? excludePatterns = null,
        [Description("Levels to descend (1 = the directory's own entries). Default 10, at most 256.")] int max_depth = DefaultTreeDepth,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (max_depth is < 1 or > TreeWalker.MaxDepthLimit)
        {
            throw ConnectorException.InvalidArgument(nameof(max_depth), $"must be between 1 and {TreeWalker.MaxDepthLimit}.");
        }

        var excluded = Glob.Filters(excludePatterns, nameof(excludePatterns));
        using var directory = guard.OpenDirectory(guard.Resolve(path));
        var tree = new List<TreeNode>();
        var count = 0;
        var complete = true;
        var report = new WalkProgress(progress);
        var open = new Stack<(int Depth, TreeNode Node)>();
        // The JSON text's size, counted as it grows: {"name":"…","type":"…"} and "children":[] with their commas.
        var bytes = 2;
        var byteLimit = budget.MaxBytes - 512;
        foreach (var entry in TreeWalker.Walk(guard, directory, max_depth, (rel, name, _) => excluded.Any(g => g.IsMatchEntry(rel, name)), cancellationToken))
        {
            if (count == limits.MaxEntries || bytes > byteLimit)
            {
                complete = false;
                break;
            }

            while (open.Count > 0 && open.Peek().Depth >= entry.Depth)
            {
                open.Pop();
            }

            count++;
            report.Report(count, "directory_tree");
            var node = new TreeNode(entry.Name, TypeOf(entry.Kind is FileKind.Directory or FileKind.SymbolicLink ? entry.Kind : FileKind.File));
            bytes += JsonEncodedText.Encode(entry.Name).EncodedUtf8Bytes.Length + node.Type.Length + 23;
            (open.Count > 0 ? open.Peek().Node.Children! : tree).Add(node);
            if (entry.Kind == FileKind.Directory)
            {
                node.Children = [];
                bytes += 14;
                if (entry.Depth >= max_depth)
                {
                    node.Truncated = true;
                    bytes += 17;
                }
                else
                {
                    open.Push((entry.Depth, node));
                }
            }
        }

        if (!complete)
        {
            foreach (var (_, node) in open)
            {
                node.Truncated = true;
            }
        }

        var text = JsonSerializer.Serialize(tree, FilesystemJsonContext.Default.ListTreeNode);
        if (!complete)
        {
            text += $"\n[Tree cut after {count:N0} entries (limit {limits.MaxEntries:N0} entries or {budget.MaxBytes:N0} bytes). Directories marked \"truncated\" have more inside: call directory_tree on one of them, lower max_depth, or add excludePatterns.]";
        }

        return TypedResults.Create(text, new DirectoryTreeResult(directory.Real.FullPath, tree, count, !complete), FilesystemJsonContext.Default.DirectoryTreeResult);
    }

    private (List<ListedEntry> Entries, string Directory) ReadEntries(string path, int offset)
    {
        if (offset < 0)
        {
            throw ConnectorException.InvalidArgument(nameof(offset), "must be 0 or more.");
        }

        using var directory = guard.OpenDirectory(guard.Resolve(path));
        var entries = new List<ListedEntry>();
        foreach (var entry in DirectoryEntries.Read(directory.Handle))
        {
            var child = directory.Real.Child(entry.Name);
            if (guard.IsDenied(child.Relative) || FileStatus.TryOfEntry(directory.Handle, entry.Name) is not { } status)
            {
                continue;
            }

            entries.Add(status.Kind == FileKind.SymbolicLink
                ? LinkEntry(entry.Name, child)
                : new ListedEntry(entry.Name, status.Kind, status.Kind == FileKind.File ? status.Size : 0, status.IsDirectory ? "[DIR]" : "[FILE]", "", null));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (entries, directory.Real.FullPath);
    }

    /// <summary>Where a link leads, in words (and as one word for the structured listing), without naming a target outside the roots.</summary>
    private ListedEntry LinkEntry(string name, GuardedPath link)
    {
        var (note, leads) = LinkTarget(link);
        return new ListedEntry(name, FileKind.SymbolicLink, 0, "[LINK]", note, leads);
    }

    private (string Note, string Leads) LinkTarget(GuardedPath link)
    {
        try
        {
            using var target = guard.OpenAny(link);
            return target.Status.IsDirectory ? (" (link to a directory)", "directory") : (" (link to a file)", "file");
        }
        catch (ConnectorException e) when (e.Code == ErrorCodes.NotFound)
        {
            return (" (dangling link)", "dangling");
        }
        catch (ConnectorException)
        {
            return (" (link out of the allowed directories: refused)", "refused");
        }
    }

    private CallToolResult Finish(StringBuilder text, string directory, List<ListedEntry> entries, int offset, string tool)
    {
        var total = entries.Count;
        var shown = Math.Max(0, Math.Min(limits.MaxEntries, total - offset));
        if (offset + shown < total)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[Listing cut: showing entries {offset + 1:N0}-{offset + shown:N0} of {total:N0}. Call {tool} with offset={offset + shown} to see the rest.]\n");
        }

        var fitted = budget.Fit(text.ToString(), cut =>
        {
            // One line per entry: what the budget kept is what the structured listing holds.
            shown = Math.Min(shown, cut.KeptLines);
            return $"{total:N0} entries in all; call {tool} with offset={offset + cut.KeptLines} to see the rest.";
        });
        return Listing(fitted, directory, entries, offset, shown);
    }

    private static CallToolResult Listing(string text, string directory, List<ListedEntry> entries, int offset, int shown)
    {
        var listed = entries.Skip(offset).Take(shown)
            .Select(e => new DirectoryEntry(e.Name, TypeOf(e.Kind), e.Kind == FileKind.File ? e.Size : null, e.Link)).ToList();
        var more = offset + shown < entries.Count;
        var files = entries.Where(e => e.Kind == FileKind.File).ToList();
        var value = new DirectoryListing(directory, listed, entries.Count, files.Count, entries.Count(e => e.Kind == FileKind.Directory),
            files.Sum(e => e.Size), more, more ? offset + shown : null);
        return TypedResults.Create(text, value, FilesystemJsonContext.Default.DirectoryListing);
    }

    /// <summary>The type names of listings and trees.</summary>
    private static string TypeOf(FileKind kind) => kind switch
    {
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "symlink",
        FileKind.File => "file",
        _ => "other",
    };

    internal static string FormatSize(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private sealed record ListedEntry(string Name, FileKind Kind, long Size, string Label, string Note, string? Link);
}
