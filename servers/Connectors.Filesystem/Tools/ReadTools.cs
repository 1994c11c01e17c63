using System.Text;
using Connectors.Filesystem.Native;

namespace Connectors.Filesystem.Tools;

/// <summary>Tools that read files. Every handler places its path with <see cref="PathGuard"/> and reads through the handle it opens.</summary>
[McpServerToolType]
public sealed class ReadTools(PathGuard guard, OutputBudget budget, FilesystemLimits limits)
{
    [McpServerTool(Name = "list_allowed_directories", Title = "List allowed directories", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(AllowedDirectories))]
    [Description("Lists the directories this server may access. Paths outside them are refused; relative paths resolve against the first.")]
    public CallToolResult ListAllowedDirectories() =>
        TypedResults.Create("Allowed directories:\n" + string.Join('\n', guard.Roots), new AllowedDirectories(guard.Roots), FilesystemJsonContext.Default.AllowedDirectories);

    [McpServerTool(Name = "read_text_file", Title = "Read text file", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Reads a text file as UTF-8. Use head or tail for the first or last N lines, or offset and limit for a range of lines. Long output is cut and says how to continue.")]
    public string ReadTextFile(
        [Description("File to read.")] string path,
        [Description("Return only the first N lines.")] int? head = null,
        [Description("Return only the last N lines.")] int? tail = null,
        [Description("First line to return, counting from 1 (default 1).")] int? offset = null,
        [Description("Return at most this many lines from offset.")] int? limit = null,
        CancellationToken cancellationToken = default) =>
        ReadText(path, head, tail, offset, limit, cancellationToken);

    [McpServerTool(Name = "read_file", Title = "Read file (deprecated)", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Deprecated name of read_text_file, kept so existing prompts work. Reads a text file as UTF-8; head or tail give the first or last N lines.")]
    public string ReadFile(
        [Description("File to read.")] string path,
        [Description("Return only the first N lines.")] int? head = null,
        [Description("Return only the last N lines.")] int? tail = null,
        CancellationToken cancellationToken = default) =>
        ReadText(path, head, tail, null, null, cancellationToken);

    [McpServerTool(Name = "read_media_file", Title = "Read media file", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Reads an image or audio file and returns it as image or audio content with its MIME type; other binary files come back as an embedded resource.")]
    public async Task<CallToolResult> ReadMediaFile(
        [Description("File to read.")] string path,
        CancellationToken cancellationToken = default)
    {
        using var file = guard.OpenFile(guard.Resolve(path));
        if (file.Status.Size > limits.MaxReadBytes)
        {
            throw ConnectorException.InvalidArgument(nameof(path),
                $"'{path}' is {file.Status.Size:N0} bytes; this server returns media files up to {limits.MaxReadBytes:N0} bytes (--max-read-bytes).");
        }

        var bytes = new byte[file.Status.Size];
        var read = await RandomAccess.ReadAsync(file.Handle, bytes, 0, cancellationToken);
        var data = bytes.AsMemory(0, read);
        var mime = MediaTypes.Of(path);
        ContentBlock block = mime.StartsWith("image/", StringComparison.Ordinal) ? ImageContentBlock.FromBytes(data, mime)
            : mime.StartsWith("audio/", StringComparison.Ordinal) ? AudioContentBlock.FromBytes(data, mime)
            : new EmbeddedResourceBlock { Resource = BlobResourceContents.FromBytes(data, FileResources.UriOf(file.Real.FullPath), mime) };
        return new CallToolResult { Content = [block] };
    }

    [McpServerTool(Name = "read_multiple_files", Title = "Read multiple files", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Reads several text files at once. Each file appears under its path; a file that cannot be read shows its error in place and does not stop the others.")]
    public async Task<string> ReadMultipleFiles(
        [Description("Files to read (1 to 100).")] string[] paths,
        CancellationToken cancellationToken = default)
    {
        if (paths is not { Length: > 0 and <= 100 })
        {
            throw ConnectorException.InvalidArgument(nameof(paths), "give 1 to 100 paths.");
        }

        // Each file gets an equal share of the budget, so one large file cannot crowd out the rest.
        var share = new OutputBudget(Math.Max(1024, (budget.MaxBytes - (paths.Length * 120)) / paths.Length));
        var text = new StringBuilder();
        foreach (var requested in paths)
        {
            string body;
            try
            {
                body = share.Fit(ReadText(requested, null, null, null, null, cancellationToken), cut =>
                    $"Call read_text_file with path='{requested}' and offset={cut.KeptLines + 1} to continue.");
            }
            catch (ConnectorException e)
            {
                body = $"Error [{e.Code}]: {e.Message}\n";
            }

            text.Append(requested).Append(":\n").Append(body);
            if (!body.EndsWith('\n'))
            {
                text.Append('\n');
            }

            text.Append("---\n");
        }

        return text.ToString();
    }

    [McpServerTool(Name = "get_file_info", Title = "Get file info", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(FileInfoResult))]
    [Description("Shows a file's or directory's metadata: type, size, created, modified and accessed times, permissions, link count, and where a symbolic link leads.")]
    public CallToolResult GetFileInfo(
        [Description("File or directory.")] string path)
    {
        var placed = guard.Resolve(path);
        var text = new StringBuilder();
        var symbolicLink = false;
        if (placed.Relative.Length > 0)
        {
            // Describe the name itself first: a link is reported as a link, then what it leads to.
            using var parent = guard.OpenParent(placed);
            var own = FileStatus.TryOfEntry(parent.Handle, placed.Name) ?? throw ConnectorException.NotFound($"No such file or directory: '{path}'.");
            if (own.Kind == FileKind.SymbolicLink)
            {
                symbolicLink = true;
                text.Append("symbolicLink: true\n");
            }
        }

        using var target = guard.OpenAny(placed);
        var status = target.Status;
        text.Append("path: ").Append(target.Real.FullPath).Append('\n')
            .Append("type: ").Append(PathGuard.Describe(status.Kind)).Append('\n')
            .Append("size: ").Append(status.Size).Append('\n');
        if (status.Created is { } created)
        {
            text.Append("created: ").Append(created.ToString("O")).Append('\n');
        }

        text.Append("modified: ").Append(status.Modified.ToString("O")).Append('\n')
            .Append("accessed: ").Append(status.Accessed.ToString("O")).Append('\n')
            .Append("isDirectory: ").Append(status.IsDirectory ? "true" : "false").Append('\n')
            .Append("isFile: ").Append(status.Kind == FileKind.File ? "true" : "false").Append('\n')
            .Append("permissions: ").Append(status.Permissions).Append('\n')
            .Append("links: ").Append(status.LinkCount).Append('\n');
        var info = new FileInfoResult(target.Real.FullPath, PathGuard.Describe(status.Kind), status.Size, status.Created, status.Modified, status.Accessed,
            status.IsDirectory, status.Kind == FileKind.File, symbolicLink, status.Permissions, status.LinkCount);
        return TypedResults.Create(text.ToString(), info, FilesystemJsonContext.Default.FileInfoResult);
    }

    private string ReadText(string path, int? head, int? tail, int? offset, int? limit, CancellationToken cancellationToken)
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

        using var file = guard.OpenFile(guard.Resolve(path));
        TextFiles.ThrowIfBinary(file.Handle, path, nameof(path));

        var firstLine = offset ?? 1;
        var maxBytes = Math.Min(limits.MaxReadBytes, budget.MaxBytes);
        List<string> lines;
        var more = false;
        int? cutLine = null;
        if (tail is { } count)
        {
            lines = TextFiles.ReadTail(file.Handle, count, limits.MaxReadBytes);
        }
        else
        {
            (lines, more, cutLine) = TextFiles.ReadRange(file.Handle, firstLine, head ?? limit, maxBytes, cancellationToken);
        }

        var text = lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
        var fitted = budget.Fit(text, cut => tail is null
            ? $"Call read_text_file with offset={firstLine + cut.KeptLines} to continue."
            : $"Ask for fewer lines (tail={Math.Max(1, cut.KeptLines)}), or use offset and limit.");
        if (more && ReferenceEquals(fitted, text))
        {
            fitted += cutLine is { } longLine
                ? $"\n[Line {longLine:N0} is longer than the {maxBytes:N0}-byte read limit and was cut there; the rest of that line is not shown. Call read_text_file with offset={longLine + 1} for the lines after it, or search_content to find text inside it.]"
                : $"\n[Output truncated after line {firstLine + lines.Count - 1:N0}. Call read_text_file with offset={firstLine + lines.Count} to continue.]";
        }

        return fitted;
    }
}
