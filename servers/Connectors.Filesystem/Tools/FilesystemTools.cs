using System.ComponentModel;
using System.Text;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Output;
using ModelContextProtocol.Server;

namespace Connectors.Filesystem.Tools;

/// <summary>Read tools over the allowed roots. Every handler resolves its path through <see cref="PathGuard"/> first.</summary>
[McpServerToolType]
public sealed class FilesystemTools(PathGuard guard, OutputBudget budget)
{
    private const int BinarySniffBytes = 8192;

    [McpServerTool(Name = "list_allowed_directories", Title = "List allowed directories", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the directories this server may access. Paths outside them are refused; relative paths resolve against the first.")]
    public string ListAllowedDirectories() =>
        "Allowed directories:\n" + string.Join('\n', guard.Roots);

    [McpServerTool(Name = "list_directory", Title = "List directory", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Lists the entries of a directory, one per line, marked [DIR] or [FILE], sorted by name.")]
    public string ListDirectory(
        [Description("Directory to list: absolute, or relative to the first allowed directory.")] string path,
        [Description("Skip this many entries (to continue a cut listing). Default 0.")] int offset = 0,
        CancellationToken cancellationToken = default)
    {
        if (offset < 0)
        {
            throw ConnectorException.InvalidArgument(nameof(offset), "must be 0 or more.");
        }

        var directory = guard.Resolve(path);
        if (!Directory.Exists(directory))
        {
            throw ConnectorException.InvalidArgument(nameof(path), $"'{path}' is a file, not a directory; use read_text_file.");
        }

        var entries = new DirectoryInfo(directory)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false })
            .Select(e => (Name: e.Name, IsDirectory: (e.Attributes & FileAttributes.Directory) != 0))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        cancellationToken.ThrowIfCancellationRequested();

        if (entries.Count == 0)
        {
            return $"{directory} is empty.";
        }

        var text = new StringBuilder();
        foreach (var entry in entries.Skip(offset))
        {
            text.Append(entry.IsDirectory ? "[DIR] " : "[FILE] ").Append(entry.Name).Append('\n');
        }

        return budget.Fit(text.ToString(), cut =>
            $"{entries.Count:N0} entries in all; call list_directory with offset={offset + cut.KeptLines} to see the rest.");
    }

    [McpServerTool(Name = "read_text_file", Title = "Read text file", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Reads a text file as UTF-8. Use head or tail for the first or last N lines, or offset and limit for a range of lines. Long output is cut and says how to continue.")]
    public async Task<string> ReadTextFile(
        [Description("File to read: absolute, or relative to the first allowed directory.")] string path,
        [Description("Return only the first N lines.")] int? head = null,
        [Description("Return only the last N lines.")] int? tail = null,
        [Description("First line to return, counting from 1 (default 1).")] int? offset = null,
        [Description("Return at most this many lines from offset.")] int? limit = null,
        CancellationToken cancellationToken = default)
    {
        if (head is not null && tail is not null)
        {
            throw ConnectorException.InvalidArgument(nameof(tail), "give head or tail, not both.");
        }

        if (tail is not null && (offset is not null || limit is not null))
        {
            throw ConnectorException.InvalidArgument(nameof(tail), "tail cannot be combined with offset or limit.");
        }

        foreach (var (name, value, min) in new[] { (nameof(head), head, 0), (nameof(tail), tail, 0), (nameof(offset), offset, 1), (nameof(limit), limit, 0) })
        {
            if (value < min)
            {
                throw ConnectorException.InvalidArgument(name, $"must be {min} or more.");
            }
        }

        var file = guard.Resolve(path);
        if (Directory.Exists(file))
        {
            throw ConnectorException.InvalidArgument(nameof(path), $"'{path}' is a directory; use list_directory.");
        }

        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.SequentialScan);
        if (await LooksBinaryAsync(stream, cancellationToken))
        {
            throw ConnectorException.InvalidArgument(nameof(path), $"'{path}' looks like a binary file; read_text_file reads text only.");
        }

        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var firstLine = tail is null ? offset ?? 1 : 1;
        var maxLines = head ?? limit;
        var lines = tail is { } n ? await ReadTailAsync(reader, n, cancellationToken) : await ReadRangeAsync(reader, firstLine, maxLines, cancellationToken);

        var text = lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
        return budget.Fit(text, cut => tail is null
            ? $"Call read_text_file with offset={firstLine + cut.KeptLines} to continue."
            : $"Ask for fewer lines (tail={Math.Max(1, cut.KeptLines)}), or use offset and limit.");
    }

    private async Task<List<string>> ReadRangeAsync(StreamReader reader, int firstLine, int? maxLines, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var lineNumber = 0;
        var bytes = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (++lineNumber < firstLine)
            {
                continue;
            }

            if (lines.Count >= maxLines)
            {
                break;
            }

            lines.Add(line);

            // Stop reading once past the budget: the rest could never be shown in this call.
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
            if (bytes > budget.MaxBytes)
            {
                lines.Add("");
                break;
            }
        }

        return lines;
    }

    private static async Task<List<string>> ReadTailAsync(StreamReader reader, int count, CancellationToken cancellationToken)
    {
        var window = new Queue<string>();
        if (count == 0)
        {
            return [];
        }

        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (window.Count == count)
            {
                window.Dequeue();
            }

            window.Enqueue(line);
        }

        return [.. window];
    }

    private static async Task<bool> LooksBinaryAsync(FileStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[BinarySniffBytes];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        stream.Position = 0;
        return buffer.AsSpan(0, read).Contains((byte)0);
    }
}
