using Connectors.Filesystem.Native;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>One entry met by a walk. <see cref="Directory"/> is the handle of the directory holding it, valid until the next step.</summary>
internal readonly record struct WalkEntry(string Relative, string Name, FileKind Kind, int Depth, SafeFileHandle Directory);

/// <summary>
/// A depth-first walk in name order below an opened directory. Each subdirectory is opened relative to its parent's
/// handle with <c>O_NOFOLLOW</c>, so a walk never follows a link out of the tree, never loops, and a directory swapped
/// for a link mid-walk is skipped rather than entered. Entries the guard denies are never yielded.
/// </summary>
internal static class TreeWalker
{
    /// <summary>Walks are bounded in depth as well as size: each level holds one open directory handle.</summary>
    public const int MaxDepthLimit = 256;

    /// <param name="guard">Leaves out denied entries.</param>
    /// <param name="start">The directory to walk (not disposed).</param>
    /// <param name="maxDepth">1 lists the start's own entries; deeper levels are not opened.</param>
    /// <param name="skip">Called with a path relative to the start, its name, and whether it is a directory: true leaves it (and what is below) out.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public static IEnumerable<WalkEntry> Walk(PathGuard guard, OpenedPath start, int maxDepth, Func<string, string, bool, bool>? skip, CancellationToken cancellationToken)
    {
        var rootPrefix = start.Real.Relative;
        var stack = new Stack<Frame>();
        stack.Push(new Frame(start.Handle, owned: false, "", Sorted(start.Handle), 1));
        try
        {
            var steps = 0;
            while (stack.TryPeek(out var frame))
            {
                if (frame.Next == frame.Entries.Count)
                {
                    stack.Pop();
                    if (frame.Owned)
                    {
                        frame.Handle.Dispose();
                    }

                    continue;
                }

                if ((++steps & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var entry = frame.Entries[frame.Next++];
                var relative = frame.Prefix.Length == 0 ? entry.Name : frame.Prefix + "/" + entry.Name;
                var kind = entry.Kind == FileKind.Other ? FileStatus.TryOfEntry(frame.Handle, entry.Name)?.Kind ?? FileKind.Other : entry.Kind;
                var isDirectory = kind == FileKind.Directory;
                if (guard.IsDeniedEntry(rootPrefix.Length == 0 ? relative : rootPrefix + "/" + relative, entry.Name) || (skip?.Invoke(relative, entry.Name, isDirectory) ?? false))
                {
                    continue;
                }

                yield return new WalkEntry(relative, entry.Name, kind, frame.Depth, frame.Handle);

                if (isDirectory && frame.Depth < Math.Min(maxDepth, MaxDepthLimit) && OpenChild(frame.Handle, entry.Name) is { } child)
                {
                    stack.Push(new Frame(child, owned: true, relative, Sorted(child), frame.Depth + 1));
                }
            }
        }
        finally
        {
            foreach (var frame in stack.Where(f => f.Owned))
            {
                frame.Handle.Dispose();
            }
        }
    }

    private static SafeFileHandle? OpenChild(SafeFileHandle parent, string name)
    {
        var fd = Libc.OpenAt((int)parent.DangerousGetHandle(), name, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true); // gone, swapped for a link, or unreadable: skip it
    }

    private static List<DirectoryEntry> Sorted(SafeFileHandle directory)
    {
        List<DirectoryEntry> entries;
        try
        {
            entries = DirectoryEntries.Read(directory);
        }
        catch (FileSystemException)
        {
            return [];
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    private sealed class Frame(SafeFileHandle handle, bool owned, string prefix, List<DirectoryEntry> entries, int depth)
    {
        public SafeFileHandle Handle { get; } = handle;

        public bool Owned { get; } = owned;

        public string Prefix { get; } = prefix;

        public List<DirectoryEntry> Entries { get; } = entries;

        public int Depth { get; } = depth;

        public int Next { get; set; }
    }
}
