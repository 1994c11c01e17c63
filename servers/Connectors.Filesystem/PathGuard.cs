using System.Text;
using Connectors.Filesystem.Native;
using Connectors.Hosting;
using Connectors.Hosting.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>
/// The one gate between a tool and the disk; every handler calls it first. A request is placed lexically under a root,
/// then opened <em>relative to the root's handle</em> with <c>openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)</c>, so the
/// kernel itself refuses any '..' or symlink that would leave the root while the path is being walked: there is no gap
/// between checking a path and using it. Without <c>openat2</c> (Linux before 5.6, or a seccomp filter) the same rules are
/// applied by walking one name at a time with <c>openat(O_NOFOLLOW)</c> and resolving links ourselves. Tools then read,
/// list and write through the returned handles, never through the path again.
/// </summary>
public sealed partial class PathGuard : IDisposable
{
    private const int MaxSymlinkHops = 40;
    private const int MaxPathLength = 4096;

    private readonly IReadOnlyList<Glob> _deny;
    private bool _useOpenat2;

    private PathGuard(IReadOnlyList<AllowedRoot> roots, IReadOnlyList<Glob> deny, bool useOpenat2)
    {
        AllowedRoots = roots;
        _deny = deny;
        _useOpenat2 = useOpenat2;
    }

    public IReadOnlyList<AllowedRoot> AllowedRoots { get; }

    /// <summary>The canonical roots, in the order given; relative paths resolve against the first.</summary>
    public IReadOnlyList<string> Roots => [.. AllowedRoots.Select(r => r.Path)];

    public IReadOnlyList<string> DenyPatterns => [.. _deny.Select(g => g.Pattern)];

    /// <summary>Whether lookups still go through openat2 (false after the kernel refused it, or when created without).</summary>
    internal bool UsesOpenat2 => _useOpenat2;

    /// <param name="roots">Directories as configured.</param>
    /// <param name="source">Where the roots came from, for the start-up message.</param>
    /// <param name="denyGlobs">Globs that win over the roots.</param>
    /// <param name="useOpenat2">False forces the portable component-by-component walk (tests exercise both).</param>
    public static PathGuard Create(IReadOnlyList<string> roots, string source, IReadOnlyList<string>? denyGlobs = null, bool useOpenat2 = true)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new ConnectorConfigurationException(
                "Connectors.Filesystem needs Linux: its guard opens every path relative to a root handle with openat2/openat. Run it in a Linux container or WSL.");
        }

        if (roots.Count == 0)
        {
            throw new ConnectorConfigurationException("--roots: give at least one directory the server may use, e.g. --roots .");
        }

        var deny = denyGlobs is null ? [] : Glob.Filters(denyGlobs, "--deny-paths");
        var canonical = new List<AllowedRoot>();
        foreach (var root in roots)
        {
            var full = System.IO.Path.GetFullPath(ExpandHome(root));
            var fd = Libc.OpenAt(-100 /* AT_FDCWD */, full, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new ConnectorConfigurationException($"--roots (from {source}): '{root}' is not an existing directory.");
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            var real = FinalPathOf(handle) ?? full;
            var existing = canonical.FirstOrDefault(r => r.Path == real);
            if (existing is not null)
            {
                handle.Dispose();
                continue;
            }

            canonical.Add(new AllowedRoot(real, real == full ? [] : [full], handle));
        }

        return new PathGuard(canonical, deny, useOpenat2);
    }

    /// <summary>Places a requested path under a root, lexically, or throws a tool error. Touches nothing on disk.</summary>
    public GuardedPath Resolve(string? requested, string argument = "path")
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            throw ConnectorException.InvalidArgument(argument, "a path is required.");
        }

        if (requested.Contains('\0', StringComparison.Ordinal))
        {
            throw ConnectorException.InvalidArgument(argument, "the path contains a NUL character.");
        }

        if (requested.Length > MaxPathLength)
        {
            throw ConnectorException.InvalidArgument(argument, $"the path is longer than {MaxPathLength:N0} characters.");
        }

        if (requested.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw ConnectorException.InvalidArgument(argument, "give a file system path (e.g. /work/src/a.txt or src/a.txt), not a file:// URI.");
        }

        // Percent-encoded, fullwidth and backslash forms are ordinary characters in a Linux name: they are never decoded.
        var expanded = ExpandHome(requested);
        var full = System.IO.Path.GetFullPath(expanded.StartsWith('/') ? expanded : Join(AllowedRoots[0].Path, expanded));
        var placed = Place(full, requested) ?? throw Outside(requested);
        ThrowIfDenied(placed);
        return placed;
    }

    /// <summary>Opens a regular file for reading. FIFOs, sockets and devices are refused before a byte is read.</summary>
    public OpenedPath OpenFile(GuardedPath path, string argument = "path")
    {
        var opened = Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY, argument);
        if (opened.Status.Kind == FileKind.File)
        {
            return opened;
        }

        opened.Dispose();
        throw opened.Status.Kind == FileKind.Directory
            ? ConnectorException.InvalidArgument(argument, $"'{path.Requested}' is a directory; use list_directory.")
            : ConnectorException.InvalidArgument(argument, $"'{path.Requested}' is a {Describe(opened.Status.Kind)}, not a regular file; only regular files are read.");
    }

    /// <summary>Opens a directory for listing.</summary>
    public OpenedPath OpenDirectory(GuardedPath path, string argument = "path") =>
        Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY, argument);

    /// <summary>Opens anything (a handle for metadata only), following links that stay inside the roots.</summary>
    public OpenedPath OpenAny(GuardedPath path, string argument = "path") => Open(path, Libc.O_PATH, argument);

    /// <summary>
    /// Opens the directory that will hold <paramref name="path"/>'s last name, for creating, replacing or moving it. The
    /// last name itself is never followed: the caller works on it relative to the returned handle.
    /// </summary>
    public OpenedPath OpenParent(GuardedPath path, string argument = "path")
    {
        if (path.Relative.Length == 0)
        {
            throw ConnectorException.InvalidArgument(argument, $"'{path.Requested}' is an allowed root itself.");
        }

        var slash = path.Relative.LastIndexOf('/');
        var parent = new GuardedPath(path.Root, slash < 0 ? "" : path.Relative[..slash], path.Requested);
        try
        {
            var opened = Open(parent, Libc.O_PATH | Libc.O_DIRECTORY, argument);
            var real = opened.Real.Child(path.Name);
            ThrowIfDenied(real with { Requested = path.Requested });
            return new OpenedPath(opened.Handle, opened.Status, real with { Requested = path.Requested });
        }
        catch (ConnectorException e) when (e.Code == ErrorCodes.NotFound)
        {
            throw ConnectorException.NotFound($"The parent directory of '{path.Requested}' does not exist; create it first with create_directory.");
        }
    }

    /// <summary>Whether a path (relative to its root) matches a deny glob; walks use this to leave such entries out.</summary>
    public bool IsDenied(string relative) => relative.Length > 0 && _deny.Any(g => g.IsMatch(relative));

    /// <summary>As <see cref="IsDenied"/>, for a walk that has already checked the directories above the entry.</summary>
    internal bool IsDeniedEntry(string relative, string name)
    {
        foreach (var glob in _deny)
        {
            if (glob.IsMatchEntry(relative, name))
            {
                return true;
            }
        }

        return false;
    }

    public HealthCheckResult CheckRootsReachable()
    {
        var missing = AllowedRoots.Where(r => !Directory.Exists(r.Path)).Select(r => r.Path).ToList();
        return missing.Count == 0
            ? HealthCheckResult.Healthy($"{AllowedRoots.Count} root(s) reachable")
            : HealthCheckResult.Unhealthy($"missing root(s): {string.Join(", ", missing)}");
    }

    /// <summary>Turns a failed system call into the tool error a client can act on.</summary>
    public static ConnectorException ToToolError(FileSystemException error, string requested, string argument = "path") => error.Errno switch
    {
        Libc.ENOENT => ConnectorException.NotFound($"No such file or directory: '{requested}'."),
        Libc.EXDEV => Outside(requested),
        Libc.EACCES or Libc.EPERM => ConnectorException.PermissionDenied($"The operating system denied access to '{requested}'."),
        Libc.EROFS => ConnectorException.PermissionDenied($"'{requested}' is on a read-only file system."),
        Libc.ELOOP => ConnectorException.InvalidArgument(argument, $"'{requested}' has too many levels of symbolic links (or a link loop)."),
        Libc.ENOTDIR => ConnectorException.InvalidArgument(argument, $"'{requested}' (or a directory above it) is not a directory."),
        Libc.EISDIR => ConnectorException.InvalidArgument(argument, $"'{requested}' is a directory."),
        Libc.EEXIST => new ConnectorException(ErrorCodes.AlreadyExists, $"'{requested}' already exists."),
        Libc.ENOTEMPTY => ConnectorException.InvalidArgument(argument, $"'{requested}' is a directory that is not empty."),
        Libc.ENAMETOOLONG => ConnectorException.InvalidArgument(argument, $"a name in '{requested}' is too long."),
        Libc.ENOSPC => new ConnectorException(ErrorCodes.UpstreamUnavailable, "The file system is full.", retryable: true),
        Libc.EBUSY => new ConnectorException(ErrorCodes.UpstreamUnavailable, $"'{requested}' is busy.", retryable: true),
        _ => new ConnectorException(ErrorCodes.InternalError, $"The file system refused the operation on '{requested}' (errno {error.Errno})."),
    };

    public void Dispose()
    {
        foreach (var root in AllowedRoots)
        {
            root.Dispose();
        }
    }

    internal static string Join(string directory, string name) =>
        name.Length == 0 ? directory : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    internal static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO (named pipe)",
        FileKind.Socket => "socket",
        FileKind.Device => "device",
        FileKind.SymbolicLink => "symbolic link",
        FileKind.Directory => "directory",
        FileKind.File => "file",
        _ => "special file",
    };

    private OpenedPath Open(GuardedPath path, int flags, string argument)
    {
        SafeFileHandle? handle = null;
        try
        {
            GuardedPath real;
            (handle, real) = _useOpenat2 ? OpenWithOpenat2(path, flags) ?? Walk(path, flags) : Walk(path, flags);
            ThrowIfDenied(real with { Requested = path.Requested });
            var status = FileStatus.Of(handle);
            return new OpenedPath(handle, status, real with { Requested = path.Requested });
        }
        catch (FileSystemException e)
        {
            handle?.Dispose();
            throw ToToolError(e, path.Requested, argument);
        }
        catch
        {
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>The root a full (normalized) path lies in, by component-wise comparison; the deepest root wins.</summary>
    private GuardedPath? Place(string fullPath, string requested)
    {
        GuardedPath? best = null;
        var bestLength = -1;
        foreach (var root in AllowedRoots)
        {
            foreach (var prefix in root.Aliases.Prepend(root.Path))
            {
                if (prefix.Length > bestLength && RelativeTo(prefix, fullPath) is { } relative)
                {
                    best = new GuardedPath(root, relative, requested);
                    bestLength = prefix.Length;
                }
            }
        }

        return best;
    }

    private static string? RelativeTo(string root, string fullPath)
    {
        if (fullPath == root)
        {
            return "";
        }

        if (root == "/")
        {
            return fullPath.TrimStart('/').TrimEnd('/');
        }

        return fullPath.Length > root.Length && fullPath[root.Length] == '/' && fullPath.StartsWith(root, StringComparison.Ordinal)
            ? fullPath[(root.Length + 1)..].TrimEnd('/')
            : null;
    }

    private void ThrowIfDenied(GuardedPath path)
    {
        if (_deny.FirstOrDefault(g => path.Relative.Length > 0 && g.IsMatch(path.Relative)) is { } glob)
        {
            throw ConnectorException.PermissionDenied(
                $"Access denied: '{path.Requested}' matches the deny pattern '{glob.Pattern}' (files such as keys and .env are never served).");
        }
    }

    internal static ConnectorException Outside(string requested) => ConnectorException.PermissionDenied(
        $"Access denied: '{requested}' is outside the allowed directories. Call list_allowed_directories to see them.");

    private static IEnumerable<string> Split(string relative, bool keepDotDot = false) =>
        relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(n => n != "." && (keepDotDot || n != ".."));

    private static string ExpandHome(string path)
    {
        // As the reference server: only a leading '~' or '~/' expands; '~user' stays a literal name.
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..];
        }

        return path;
    }

    private static unsafe string? ReadLink(SafeFileHandle directory, string name)
    {
        var buffer = stackalloc byte[MaxPathLength];
        var length = Libc.ReadLinkAt((int)directory.DangerousGetHandle(), name, buffer, MaxPathLength);
        return length < 0 ? null : Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>Where an open handle really is, from the kernel (<c>/proc/self/fd</c>); null when /proc is not mounted.</summary>
    internal static unsafe string? FinalPathOf(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[MaxPathLength];
        var length = Libc.ReadLink($"/proc/self/fd/{handle.DangerousGetHandle()}", buffer, MaxPathLength);
        return length <= 0 ? null : Encoding.UTF8.GetString(buffer, (int)length);
    }
}
