using System.Text;
using Connectors.Filesystem.Native;

namespace Connectors.Filesystem.Tools;

/// <summary>One replacement for edit_file.</summary>
public sealed class FileEdit
{
    [Description("Text to find; must match exactly once (or, failing that, once line by line ignoring leading and trailing whitespace).")]
    public required string OldText { get; init; }

    [Description("Text to put in its place.")]
    public required string NewText { get; init; }
}

/// <summary>
/// Tools that change files; offered only with --allow-write. Writes go to a temporary file in the same directory that is
/// renamed over the target (atomic; cleaned up on failure), all relative to directory handles the guard opened.
/// </summary>
[McpServerToolType]
public sealed class WriteTools(PathGuard guard, FilesystemLimits limits)
{
    private const int MaxEdits = 100;

    [McpServerTool(Name = "write_file", Title = "Write file", ReadOnly = false, Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Creates a file, or replaces an existing file's whole content, atomically (readers never see a half-written file). The parent directory must exist.")]
    public string WriteFile(
        [Description("File to write.")] string path,
        [Description("The complete new content (UTF-8 text).")] string content)
    {
        var target = WriteTarget(guard.Resolve(path), nameof(path));
        var existed = AtomicFile.Write(guard, target, Encoding.UTF8.GetBytes(content), expected: null);
        return $"{(existed ? "Replaced" : "Created")} {target.FullPath} ({Encoding.UTF8.GetByteCount(content):N0} bytes).";
    }

    [McpServerTool(Name = "edit_file", Title = "Edit file", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Replaces text in a file: each edit's oldText must occur exactly once (an exact match first, else a line-by-line match ignoring indentation, which keeps the file's indentation). Edits apply in order, all or none. Returns a unified diff; dryRun previews it without writing. Line endings and a BOM are kept.")]
    public string EditFile(
        [Description("File to edit.")] string path,
        [Description("Replacements to make, in order.")] FileEdit[] edits,
        [Description("Only show the diff; change nothing.")] bool dryRun = false)
    {
        if (edits is not { Length: > 0 and <= MaxEdits })
        {
            throw ConnectorException.InvalidArgument(nameof(edits), $"give 1 to {MaxEdits} edits.");
        }

        var target = WriteTarget(guard.Resolve(path), nameof(path));
        var (original, status) = ReadForEdit(target, path);
        var bom = original.StartsWith('\uFEFF');
        var crlf = original.Contains("\r\n", StringComparison.Ordinal);
        var before = (bom ? original[1..] : original).Replace("\r\n", "\n", StringComparison.Ordinal);
        var after = before;
        for (var i = 0; i < edits.Length; i++)
        {
            after = TextEdits.Apply(after, Normalize(edits[i].OldText), Normalize(edits[i].NewText), $"edits[{i}]");
        }

        var diff = UnifiedDiff.Create(before, after, target.FullPath);
        var fence = new string('`', Math.Max(3, LongestRun(diff, '`') + 1));
        var shown = $"{fence}diff\n{diff}{fence}\n";
        if (before == after)
        {
            return "The edits leave the file unchanged; nothing was written.\n";
        }

        if (dryRun)
        {
            return "Dry run: nothing was written.\n" + shown;
        }

        var text = (bom ? "\uFEFF" : "") + (crlf ? after.Replace("\n", "\r\n", StringComparison.Ordinal) : after);
        AtomicFile.Write(guard, target, Encoding.UTF8.GetBytes(text), expected: status);
        return shown;
    }

    [McpServerTool(Name = "create_directory", Title = "Create directory", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Creates a directory and any missing parents; succeeds quietly when it already exists.")]
    public string CreateDirectory(
        [Description("Directory to create.")] string path)
    {
        var placed = guard.Resolve(path);
        var names = placed.Relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var created = false;
        for (var depth = 1; depth <= names.Length; depth++)
        {
            var step = new GuardedPath(placed.Root, string.Join('/', names[..depth]), path);
            using var parent = guard.OpenParent(step);
            var existing = FileStatus.TryOfEntry(parent.Handle, step.Name);
            if (existing is { Kind: FileKind.SymbolicLink })
            {
                using var through = guard.OpenAny(step); // a link to a directory inside the roots is fine to go through
                if (!through.Status.IsDirectory)
                {
                    throw ConnectorException.InvalidArgument(nameof(path), $"'{step.Relative}' exists and is not a directory.");
                }

                continue;
            }

            if (existing is { } status)
            {
                if (!status.IsDirectory)
                {
                    throw ConnectorException.InvalidArgument(nameof(path), $"'{step.Relative}' exists and is not a directory.");
                }

                continue;
            }

            if (Libc.MkdirAt((int)parent.Handle.DangerousGetHandle(), step.Name, 0x1FF /* 0777, less the umask */) != 0 && Libc.LastError != Libc.EEXIST)
            {
                throw PathGuard.ToToolError(new FileSystemException(Libc.LastError), path);
            }

            created = true;
        }

        return created ? $"Created directory {placed.FullPath}." : $"Directory {placed.FullPath} already exists.";
    }

    [McpServerTool(Name = "move_file", Title = "Move or rename", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Moves or renames a file or directory in one atomic step. Fails if the destination exists, unless overwrite is true (a directory is never replaced).")]
    public string MoveFile(
        [Description("What to move.")] string source,
        [Description("Where it goes (the new full path, not the parent directory).")] string destination,
        [Description("Replace an existing file at the destination. Default false.")] bool overwrite = false)
    {
        var from = guard.Resolve(source, nameof(source));
        var to = guard.Resolve(destination, nameof(destination));
        using var fromParent = guard.OpenParent(from, nameof(source));
        using var toParent = guard.OpenParent(to, nameof(destination));
        if (FileStatus.TryOfEntry(fromParent.Handle, from.Name) is null)
        {
            throw ConnectorException.NotFound($"No such file or directory: '{source}'.");
        }

        if (overwrite && FileStatus.TryOfEntry(toParent.Handle, to.Name) is { IsDirectory: true })
        {
            throw ConnectorException.InvalidArgument(nameof(destination), $"'{destination}' is a directory; move_file never replaces a directory.");
        }

        if (Libc.RenameAt2((int)fromParent.Handle.DangerousGetHandle(), from.Name, (int)toParent.Handle.DangerousGetHandle(), to.Name,
                overwrite ? 0 : Libc.RENAME_NOREPLACE) != 0)
        {
            var errno = Libc.LastError;
            throw errno switch
            {
                Libc.EEXIST => new ConnectorException(ErrorCodes.AlreadyExists,
                    $"The destination '{destination}' already exists; choose another name, or pass overwrite=true to replace it.") { Argument = nameof(destination) },
                Libc.EXDEV => ConnectorException.InvalidArgument(nameof(destination), "the destination is on another file system; move_file moves within one."),
                Libc.EINVAL => ConnectorException.InvalidArgument(nameof(destination), "a directory cannot be moved into itself."),
                _ => PathGuard.ToToolError(new FileSystemException(errno), source, nameof(source)),
            };
        }

        return $"Moved {fromParent.Real.FullPath} to {toParent.Real.FullPath}.";
    }

    /// <summary>
    /// Where a write really goes: the path itself, or, when it is a link, the file the link leads to (inside the roots).
    /// A dangling link or a link to something other than a file is never written through.
    /// </summary>
    private GuardedPath WriteTarget(GuardedPath placed, string argument)
    {
        using var parent = guard.OpenParent(placed, argument);
        var existing = FileStatus.TryOfEntry(parent.Handle, placed.Name);
        if (existing is { Kind: FileKind.SymbolicLink })
        {
            try
            {
                using var target = guard.OpenAny(placed, argument);
                if (target.Status.Kind != FileKind.File)
                {
                    throw ConnectorException.InvalidArgument(argument, $"'{placed.Requested}' is a link to a {PathGuard.Describe(target.Status.Kind)}, not a file.");
                }

                return target.Real;
            }
            catch (ConnectorException e) when (e.Code == ErrorCodes.NotFound)
            {
                throw ConnectorException.InvalidArgument(argument, $"'{placed.Requested}' is a dangling symbolic link; links are never written through to create files.");
            }
        }

        if (existing is { } status && status.Kind != FileKind.File)
        {
            throw ConnectorException.InvalidArgument(argument, $"'{placed.Requested}' is a {PathGuard.Describe(status.Kind)}, not a regular file.");
        }

        return parent.Real;
    }

    private (string Text, FileStatus Status) ReadForEdit(GuardedPath target, string requested)
    {
        var maxBytes = Math.Max(limits.MaxReadBytes, AtomicFile.MaxEditBytes);
        using var file = guard.OpenFile(target);
        if (file.Status.Size > maxBytes)
        {
            throw ConnectorException.InvalidArgument("path", $"'{requested}' is {file.Status.Size:N0} bytes; edit_file edits files up to {maxBytes:N0} bytes.");
        }

        var bytes = new byte[file.Status.Size];
        var read = RandomAccess.Read(file.Handle, bytes, 0);
        if (TextFiles.LooksBinary(bytes.AsSpan(0, Math.Min(read, TextFiles.BinarySniffBytes))))
        {
            throw ConnectorException.InvalidArgument("path", $"'{requested}' looks like a binary file; edit_file edits text.");
        }

        return (Encoding.UTF8.GetString(bytes, 0, read), file.Status);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
