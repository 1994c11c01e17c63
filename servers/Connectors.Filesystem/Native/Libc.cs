using System.Runtime.InteropServices;

namespace Connectors.Filesystem.Native;

/// <summary>
/// The few Linux system calls the guard needs to open files relative to a directory handle (the *at family,
/// <c>openat2</c>, <c>statx</c>, <c>getdents64</c>). Flag values differ between x86-64 and arm64 and are chosen at run time.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21,
        EINVAL = 22, EMFILE = 24, ENOSPC = 28, EROFS = 30, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
        EPERM = 1, EBUSY = 16, E2BIG = 7, ENXIO = 6, EOPNOTSUPP = 95;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_NONBLOCK = 0x800,
        O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    private static readonly bool s_arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
    public static readonly int O_DIRECTORY = s_arm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = s_arm ? 0x8000 : 0x20000;

    /// <summary>An unnamed file in the directory: it never appears there unless linked, and vanishes if the process dies.</summary>
    public static readonly int O_TMPFILE = 0x400000 | O_DIRECTORY;

    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
    public const uint RENAME_NOREPLACE = 1;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_BENEATH = 0x08;

    // openat2 has the same number on every architecture (the unified syscall table, Linux 5.6+).
    private const long SYS_openat2 = 437;

    public const uint STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;

    public const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000, S_IFIFO = 0x1000,
        S_IFSOCK = 0xC000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    public const byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Library, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int directory, string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int directory, string path, OpenHow* how, nuint size);

    public static int OpenAt2(int directory, string path, int flags, int mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = (ulong)mode, Resolve = resolve };
        return (int)Syscall(SYS_openat2, directory, path, &how, (nuint)sizeof(OpenHow));
    }

    [LibraryImport(Library, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLinkAt(int directory, string path, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "readlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLink(string path, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

    [LibraryImport(Library, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);

    [LibraryImport(Library, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int directory, string path, int flags);

    [LibraryImport(Library, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int directory, string path, int mode);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Library, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, byte* buffer, nuint size);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Library, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, int mode);

    public static int LastError => Marshal.GetLastPInvokeError();
}
