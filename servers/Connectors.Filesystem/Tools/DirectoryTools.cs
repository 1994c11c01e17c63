using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Connectors.Filesystem.Native;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Output;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Connectors.Filesystem.Tools;

/// <summary>Tools that list directories. Listings read the directory through its handle; links are described, not followed out.</summary>
[McpServerToolType]
public sealed class DirectoryTools(PathGuard guard, OutputBudget budget, FilesystemLimits limits)
{
    private const int DefaultTreeDepth = 10;

    [McpServerTool(Name = "list_directory", Title = "List directory", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the entries of a directory, one per line, marked [DIR], [FILE] or [LINK], sorted by name.")]
    public string ListDirectory(
        [Description("Directory to list: absolute, or relative to the first allowed directory.")] string path,
        [Description("Skip this many entries (to continue a cut listing). Default 0.")] int offset = 0)
    {
        var (entries, directory) = ReadEntries(path, offset);
        if (entries.Count == 0)
        {
            return $"{directory} is empty.";
        }

        var text = new StringBuilder();
        foreach (var entry in entries.Skip(offset).Take(limits.MaxEntries))
        {
            text.Append(entry.Label).Append(' ').Append(entry.Name).Append(entry.Note).Append('\n');
        }

        return Finish(text, entries.Count, offset, "list_directory");
    }

    [McpServerTool(Name = "list_directory_with_sizes", Title = "List directory with sizes", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the entries of a directory with file sizes, sorted by name or size, followed by totals.")]
    public string ListDirectoryWithSizes(
        [Description("Directory to list: absolute, or relative to the first allowed directory.")] string path,
        [Description("Sort entries by 'name' (default) or 'size' (largest first).")] string sortBy = "name",
        [Description("Skip this many entries (to continue a cut listing). Default 0.")] int offset = 0)
    {
        if (sortBy is not ("name" or "size"))
        {
            throw ConnectorException.InvalidArgument(nameof(sortBy), "must be 'name' or 'size'.");
        }

        var (entries, _) = ReadEntries(path, offset);
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
        return Finish(text, entries.Count, offset, "list_directory_with_sizes");
    }

    [McpServerTool(Name = "directory_tree", Title = "Directory tree", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Returns a recursive tree of a directory as JSON: [{\"name\", \"type\": \"file\"|\"directory\"|\"symlink\", \"children\"}]. Bounded by max_depth and the server's entry limit; a directory whose contents were not listed has \"truncated\": true.")]
    public string DirectoryTree(
        [Description("Directory at the top of the tree: absolute, or relative to the first allowed directory.")] string path,
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
        var stream = new MemoryStream();
        var count = 0;
        var complete = true;
        var report = new WalkProgress(progress);
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            var open = new Stack<int>();
            var byteLimit = budget.MaxBytes - 512;
            foreach (var entry in TreeWalker.Walk(guard, directory, max_depth, (rel, name, _) => excluded.Any(g => g.IsMatchEntry(rel, name)), cancellationToken))
            {
                if (count == limits.MaxEntries || json.BytesPending + json.BytesCommitted > byteLimit)
                {
                    complete = false;
                    break;
                }

                while (open.Count > 0 && open.Peek() >= entry.Depth)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                    open.Pop();
                }

                count++;
                report.Report(count, "directory_tree");
                json.WriteStartObject();
                json.WriteString("name", entry.Name);
                json.WriteString("type", entry.Kind switch { FileKind.Directory => "directory", FileKind.SymbolicLink => "symlink", _ => "file" });
                if (entry.Kind == FileKind.Directory)
                {
                    json.WriteStartArray("children");
                    if (entry.Depth >= max_depth)
                    {
                        json.WriteEndArray();
                        json.WriteBoolean("truncated", true);
                        json.WriteEndObject();
                    }
                    else
                    {
                        open.Push(entry.Depth);
                    }
                }
                else
                {
                    json.WriteEndObject();
                }
            }

            while (open.Count > 0)
            {
                json.WriteEndArray();
                if (!complete)
                {
                    json.WriteBoolean("truncated", true);
                }

                json.WriteEndObject();
                open.Pop();
            }

            json.WriteEndArray();
        }

        var text = Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
        return complete
            ? text
            : text + $"\n[Tree cut after {count:N0} entries (limit {limits.MaxEntries:N0} entries or {budget.MaxBytes:N0} bytes). Directories marked \"truncated\" have more inside: call directory_tree on one of them, lower max_depth, or add excludePatterns.]";
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
                ? new ListedEntry(entry.Name, FileKind.SymbolicLink, 0, "[LINK]", DescribeLink(child))
                : new ListedEntry(entry.Name, status.Kind, status.Kind == FileKind.File ? status.Size : 0, status.IsDirectory ? "[DIR]" : "[FILE]", ""));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return (entries, directory.Real.FullPath);
    }

    /// <summary>Where a link leads, in words, without naming a target outside the roots.</summary>
    private string DescribeLink(GuardedPath link)
    {
        try
        {
            using var target = guard.OpenAny(link);
            return target.Status.IsDirectory ? " (link to a directory)" : " (link to a file)";
        }
        catch (ConnectorException e) when (e.Code == ErrorCodes.NotFound)
        {
            return " (dangling link)";
        }
        catch (ConnectorException)
        {
            return " (link out of the allowed directories: refused)";
        }
    }

    private string Finish(StringBuilder text, int total, int offset, string tool)
    {
        var shown = Math.Max(0, Math.Min(limits.MaxEntries, total - offset));
        if (offset + shown < total)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n[Listing cut: showing entries {offset + 1:N0}-{offset + shown:N0} of {total:N0}. Call {tool} with offset={offset + shown} to see the rest.]\n");
        }

        return budget.Fit(text.ToString(), cut =>
            $"{total:N0} entries in all; call {tool} with offset={offset + cut.KeptLines} to see the rest.");
    }

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

    private sealed record ListedEntry(string Name, FileKind Kind, long Size, string Label, string Note);
}
