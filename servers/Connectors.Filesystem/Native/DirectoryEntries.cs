using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem.Native;

/// <summary>One name in a directory, with the type the kernel reported (<see cref="FileKind.Other"/> when it did not say).</summary>
public readonly record struct DirectoryEntry(string Name, FileKind Kind);

/// <summary>Reads a directory through its handle with <c>getdents64</c>: no path is looked up again, so nothing can be swapped in.</summary>
internal static class DirectoryEntries
{
    public static unsafe List<DirectoryEntry> Read(SafeFileHandle directory)
    {
        var entries = new List<DirectoryEntry>();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            var fd = (int)directory.DangerousGetHandle();
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    var read = Libc.GetDents64(fd, start, (nuint)buffer.Length);
                    if (read < 0)
                    {
                        var errno = Libc.LastError;
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        throw new FileSystemException(errno);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    Parse(buffer.AsSpan(0, (int)read), entries);
                }
            }
        }
        finally
        {
            if (added)
            {
                directory.DangerousRelease();
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }

        return entries;
    }

    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
    private static void Parse(ReadOnlySpan<byte> span, List<DirectoryEntry> entries)
    {
        while (span.Length >= 19)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[16..]);
            var type = span[18];
            var name = span[19..length];
            var end = name.IndexOf((byte)0);
            name = end >= 0 ? name[..end] : name;
            span = span[length..];
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            {
                continue;
            }

            entries.Add(new DirectoryEntry(Encoding.UTF8.GetString(name), type switch
            {
                Libc.DT_DIR => FileKind.Directory,
                Libc.DT_REG => FileKind.File,
                Libc.DT_LNK => FileKind.SymbolicLink,
                1 => FileKind.Fifo,
                12 => FileKind.Socket,
                2 or 6 => FileKind.Device,
                _ => FileKind.Other,
            }));
        }
    }
}
