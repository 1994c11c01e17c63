using System.Text;
using Connectors.Filesystem.Native;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>The two ways <see cref="PathGuard"/> opens a path beneath its root: the kernel's openat2, or a walk one name at a time.</summary>
public sealed partial class PathGuard
{
    /// <summary>The fast path: the kernel walks the path and refuses to leave the root. Null when the walk must decide.</summary>
    private (SafeFileHandle, GuardedPath)? OpenWithOpenat2(GuardedPath path, int flags)
    {
        var target = path.Relative.Length == 0 ? "." : path.Relative;
        for (var attempt = 0; ; attempt++)
        {
            var fd = Libc.OpenAt2((int)path.Root.Handle.DangerousGetHandle(), target, flags | Libc.O_CLOEXEC, 0,
                Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_MAGICLINKS);
            if (fd >= 0)
            {
                var handle = new SafeFileHandle(fd, ownsHandle: true);
                var real = FinalPathOf(handle) is { } final ? Place(final, path.Requested) : path;
                if (real is null)
                {
                    // The kernel kept us beneath the root, so this cannot happen; refuse rather than trust it.
                    handle.Dispose();
                    throw Outside(path.Requested);
                }

                return (handle, real.Value);
            }

            var errno = Libc.LastError;
            switch (errno)
            {
                case Libc.EAGAIN or Libc.EINTR when attempt < 8:
                    continue; // a concurrent rename raced the lookup; the kernel asks us to retry
                case Libc.ENOSYS or Libc.EPERM or Libc.E2BIG:
                    _useOpenat2 = false; // kernel before 5.6 or a seccomp filter: use the walk from now on
                    return null;
                case Libc.EXDEV or Libc.ELOOP:
                    return null; // a link leaves this root: it may lead into another root; the walk decides
                default:
                    throw new FileSystemException(errno);
            }
        }
    }

    /// <summary>
    /// Resolves one name at a time relative to the directory handle above it, never following a link implicitly: a link is
    /// read and its target spliced into the names still to walk. '..' pops a directory handle; popping past the root, or a
    /// link to an absolute path, continues only if the lexical result lies inside some root.
    /// </summary>
    private (SafeFileHandle, GuardedPath) Walk(GuardedPath path, int flags)
    {
        var root = path.Root;
        var pending = new LinkedList<string>(Split(path.Relative));
        var directories = new List<(SafeFileHandle Handle, string Name)>();
        var hops = 0;
        try
        {
            while (pending.First is { } first)
            {
                var name = first.Value;
                pending.RemoveFirst();
                if (name == "..")
                {
                    if (directories.Count > 0)
                    {
                        directories[^1].Handle.Dispose();
                        directories.RemoveAt(directories.Count - 1);
                        continue;
                    }

                    var above = System.IO.Path.GetFullPath(Join(root.Path, "../" + string.Join('/', pending)));
                    var placed = Place(above, path.Requested) ?? throw Outside(path.Requested);
                    (root, pending) = (placed.Root, new LinkedList<string>(Split(placed.Relative)));
                    continue;
                }

                var parent = directories.Count == 0 ? root.Handle : directories[^1].Handle;
                var last = pending.Count == 0;
                var failure = Libc.ELOOP;
                var fd = Libc.OpenAt((int)parent.DangerousGetHandle(), name,
                    (last ? flags : Libc.O_PATH | Libc.O_DIRECTORY) | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (fd >= 0)
                {
                    var handle = new SafeFileHandle(fd, ownsHandle: true);
                    if ((flags & Libc.O_PATH) != 0 && last && FileStatus.Of(handle).Kind == FileKind.SymbolicLink)
                    {
                        handle.Dispose(); // O_PATH|O_NOFOLLOW opened the link itself; resolve it below
                    }
                    else if (last)
                    {
                        var relative = string.Join('/', directories.Select(d => d.Name).Append(name));
                        return (handle, new GuardedPath(root, relative, path.Requested));
                    }
                    else
                    {
                        directories.Add((handle, name));
                        continue;
                    }
                }
                else
                {
                    failure = Libc.LastError;
                    if (failure is not (Libc.ELOOP or Libc.ENOTDIR))
                    {
                        throw new FileSystemException(failure);
                    }
                }

                var target = ReadLink(parent, name) ?? throw new FileSystemException(failure);
                if (++hops > MaxSymlinkHops)
                {
                    throw new FileSystemException(Libc.ELOOP);
                }

                if (target.StartsWith('/'))
                {
                    var placed = Place(System.IO.Path.GetFullPath(Join(target, string.Join('/', pending))), path.Requested)
                        ?? throw Outside(path.Requested);
                    foreach (var directory in directories)
                    {
                        directory.Handle.Dispose();
                    }

                    directories.Clear();
                    (root, pending) = (placed.Root, new LinkedList<string>(Split(placed.Relative)));
                }
                else
                {
                    foreach (var part in Split(target, keepDotDot: true).Reverse())
                    {
                        pending.AddFirst(part);
                    }
                }
            }

            // Nothing left to walk: the object is the current directory itself.
            var current = directories.Count == 0 ? root.Handle : directories[^1].Handle;
            var self = Libc.OpenAt((int)current.DangerousGetHandle(), ".", flags | Libc.O_CLOEXEC, 0);
            if (self < 0)
            {
                throw new FileSystemException(Libc.LastError);
            }

            return (new SafeFileHandle(self, ownsHandle: true), new GuardedPath(root, string.Join('/', directories.Select(d => d.Name)), path.Requested));
        }
        finally
        {
            foreach (var directory in directories)
            {
                directory.Handle.Dispose();
            }
        }
    }
}
