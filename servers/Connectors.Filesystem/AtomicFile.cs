using Connectors.Filesystem.Native;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>
/// Replaces a file's content atomically: the new content is written to an unnamed file in the same directory
/// (O_TMPFILE), flushed, given the old file's permissions, linked under a temporary name and renamed over the name (a new
/// file is linked under its own name directly). A failure — or the process being killed mid-write — leaves the old content
/// and no stray file: an unnamed file vanishes with its last descriptor. Where O_TMPFILE is unsupported, a named temporary file (O_EXCL, never through a
/// link) takes its place and is removed on failure. Readers see either the old or the new file, never a mix.
/// </summary>
internal static partial class AtomicFile
{
    public const int MaxEditBytes = 16 * 1024 * 1024;

    /// <param name="guard">Opens the target's directory.</param>
    /// <param name="target">Where to write (already resolved; the last name is not followed).</param>
    /// <param name="content">The new bytes.</param>
    /// <param name="expected">When set, the file must still be as it was read (size and modification time), else nothing is written.</param>
    /// <returns>Whether a file was replaced (rather than created).</returns>
    public static bool Write(PathGuard guard, GuardedPath target, byte[] content, FileStatus? expected) =>
        Write(guard, target, content, expected, unnamedFirst: true);

    private static bool Write(PathGuard guard, GuardedPath target, byte[] content, FileStatus? expected, bool unnamedFirst)
    {
        using var parent = guard.OpenParent(target);
        var directory = (int)parent.Handle.DangerousGetHandle();
        var existing = FileStatus.TryOfEntry(parent.Handle, target.Name);
        if (expected is { } before && (existing is not { } now || now.Size != before.Size || now.Modified != before.Modified))
        {
            throw new ConnectorException(ErrorCodes.Conflict,
                $"'{target.Requested}' changed while it was being edited; nothing was written. Read it again and retry the edit.");
        }

        var mode = existing is { Kind: FileKind.File } file ? file.Mode & 0xFFF : 0x1B6; // keep the old bits, else 0666 less the umask
        var temporary = TemporaryName(target.Name);
        var unnamed = unnamedFirst ? Libc.OpenAt(directory, ".", Libc.O_TMPFILE | Libc.O_WRONLY | Libc.O_CLOEXEC, mode) : -1;
        var named = !unnamedFirst || (unnamed < 0 && Libc.LastError is Libc.EOPNOTSUPP or Libc.EISDIR or Libc.EINVAL);
        var fd = named ? Libc.OpenAt(directory, temporary, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode) : unnamed;
        if (fd < 0)
        {
            throw PathGuard.ToToolError(new FileSystemException(Libc.LastError), target.Requested);
        }

        var linked = named;
        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                RandomAccess.Write(handle, content, 0);
                Check(Libc.Fsync(fd));
                if (existing is { Kind: FileKind.File })
                {
                    Check(Libc.Fchmod(fd, mode)); // the umask applied at creation; restore the old bits exactly
                }

                // A new file takes its own name at once (linkat never replaces, so a name taken meanwhile fails it and
                // the rename below replaces that file instead).
                if (!named && existing is null && Libc.LinkAt(Libc.AT_FDCWD, $"/proc/self/fd/{fd}", directory, target.Name, Libc.AT_SYMLINK_FOLLOW) == 0)
                {
                    return false;
                }

                // Only now does the file get a name: between here and the rename is the only moment a kill leaves one behind.
                if (!named && Libc.LinkAt(Libc.AT_FDCWD, $"/proc/self/fd/{fd}", directory, temporary, Libc.AT_SYMLINK_FOLLOW) != 0)
                {
                    // No /proc (or a filesystem that refuses the link): write again the portable way.
                    handle.Dispose();
                    return Write(guard, target, content, expected, unnamedFirst: false);
                }

                linked = true;
            }

            // rename replaces the directory entry itself: a link swapped in meanwhile is replaced, never followed.
            Check(Libc.RenameAt2(directory, temporary, directory, target.Name, 0));
            return existing is not null;
        }
        catch (Exception e)
        {
            if (linked)
            {
                Libc.UnlinkAt(directory, temporary, 0);
            }

            throw e switch
            {
                FileSystemException failed => PathGuard.ToToolError(failed, target.Requested),
                IOException => PathGuard.ToToolError(new FileSystemException(Libc.ENOSPC), target.Requested),
                _ => e,
            };
        }
    }

    /// <summary>The name a write links its new content under just before the rename: <c>.name.0123456789ab.tmp</c>.</summary>
    internal static string TemporaryName(string target) =>
        $".{(target.Length > 180 ? target[..180] : target)}.{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}.tmp";

    /// <summary>Whether a name has the shape of <see cref="TemporaryName"/>, the only files the start-up sweep removes.</summary>
    internal static bool IsTemporaryName(string name) => TemporaryNamePattern().IsMatch(name);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\..+\.[0-9a-f]{12}\.tmp$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TemporaryNamePattern();

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new FileSystemException(Libc.LastError);
        }
    }
}
