using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem.Native;

public enum FileKind
{
    File,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    Device,
    Other,
}

/// <summary>What <c>statx</c> says about one file system object.</summary>
public readonly record struct FileStatus(
    FileKind Kind,
    long Size,
    int Mode,
    int LinkCount,
    DateTimeOffset Modified,
    DateTimeOffset Accessed,
    DateTimeOffset? Created)
{
    /// <summary>Permission bits as the reference server shows them, e.g. <c>644</c>.</summary>
    public string Permissions => Convert.ToString(Mode & 0x1FF, 8).PadLeft(3, '0');

    public bool IsDirectory => Kind == FileKind.Directory;

    public static unsafe FileStatus Of(SafeFileHandle handle) => Query(handle, "", Libc.AT_EMPTY_PATH);

    /// <summary>The status of <paramref name="name"/> inside <paramref name="directory"/>, not following a link there.</summary>
    public static unsafe FileStatus OfEntry(SafeFileHandle directory, string name) => Query(directory, name, Libc.AT_SYMLINK_NOFOLLOW);

    /// <summary>As <see cref="OfEntry"/>, or null when the entry has gone (listings race with deletions).</summary>
    public static FileStatus? TryOfEntry(SafeFileHandle directory, string name)
    {
        try
        {
            return OfEntry(directory, name);
        }
        catch (FileSystemException e) when (e.Errno == Libc.ENOENT)
        {
            return null;
        }
    }

    private static unsafe FileStatus Query(SafeFileHandle handle, string path, int flags)
    {
        var buffer = stackalloc byte[256];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Libc.Statx((int)handle.DangerousGetHandle(), path, flags, Libc.STATX_BASIC_STATS | Libc.STATX_BTIME, buffer) != 0)
            {
                throw new FileSystemException(Libc.LastError);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        var span = new ReadOnlySpan<byte>(buffer, 256);
        var mask = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        return new FileStatus(
            KindOf(mode),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
            mode,
            (int)BinaryPrimitives.ReadUInt32LittleEndian(span[16..]),
            Timestamp(span[112..]),
            Timestamp(span[64..]),
            (mask & Libc.STATX_BTIME) != 0 ? Timestamp(span[80..]) : null);
    }

    internal static FileKind KindOf(int mode) => (mode & Libc.S_IFMT) switch
    {
        Libc.S_IFREG => FileKind.File,
        Libc.S_IFDIR => FileKind.Directory,
        Libc.S_IFLNK => FileKind.SymbolicLink,
        Libc.S_IFIFO => FileKind.Fifo,
        Libc.S_IFSOCK => FileKind.Socket,
        Libc.S_IFCHR or Libc.S_IFBLK => FileKind.Device,
        _ => FileKind.Other,
    };

    private static DateTimeOffset Timestamp(ReadOnlySpan<byte> span) =>
        DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64LittleEndian(span))
            .AddTicks(BinaryPrimitives.ReadUInt32LittleEndian(span[8..]) / 100);
}

/// <summary>A failed system call, carrying its errno; the guard turns it into a tool error.</summary>
public sealed class FileSystemException(int errno) : IOException($"errno {errno}")
{
    public int Errno { get; } = errno;
}
