using System.Runtime.InteropServices;
using Connectors.Hosting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;

namespace Connectors.Filesystem;

/// <summary>
/// Decides whether a path is inside an allowed root. Every tool handler calls it first. Roots are canonical real paths;
/// a request is resolved to its real path (symlinks followed) and compared component-wise with the OS's case rule,
/// so <c>/root_evil</c> is not inside <c>/root</c> and a symlink out of a root is refused.
/// </summary>
public sealed partial class PathGuard
{
    private static readonly StringComparison s_pathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private PathGuard(IReadOnlyList<string> roots) => Roots = roots;

    /// <summary>The canonical roots, in the order given; relative paths resolve against the first.</summary>
    public IReadOnlyList<string> Roots { get; }

    public static PathGuard Create(IReadOnlyList<string> roots, string source)
    {
        if (roots.Count == 0)
        {
            throw new ConnectorConfigurationException("--root: give at least one directory the server may use, e.g. --root .");
        }

        var canonical = new List<string>();
        foreach (var root in roots)
        {
            var full = Path.GetFullPath(ExpandHome(root));
            if (!Directory.Exists(full))
            {
                throw new ConnectorConfigurationException($"--root (from {source}): '{root}' is not an existing directory.");
            }

            var real = RealPath(full) ?? full;
            if (!canonical.Contains(real, StringComparer.FromComparison(s_pathComparison)))
            {
                canonical.Add(real);
            }
        }

        return new PathGuard(canonical);
    }

    /// <summary>Resolves a requested path to its real path inside a root, or throws a tool error.</summary>
    /// <param name="requested">The path as the client gave it.</param>
    /// <param name="argument">The argument name, for the error message.</param>
    /// <param name="mustExist">Whether the target itself must exist (reads) or only its parent (creates).</param>
    public string Resolve(string requested, string argument = "path", bool mustExist = true)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            throw ConnectorException.InvalidArgument(argument, "a path is required.");
        }

        if (requested.Contains('\0', StringComparison.Ordinal))
        {
            throw ConnectorException.InvalidArgument(argument, "the path contains a NUL character.");
        }

        var expanded = ExpandHome(requested);
        var full = Path.GetFullPath(Path.IsPathRooted(expanded) ? expanded : Path.Combine(Roots[0], expanded));

        // Lexical check first: a path that is outside before resolution is refused without touching the disk.
        if (!IsInsideAnyRoot(full))
        {
            throw Denied(requested);
        }

        string? real;
        if (mustExist)
        {
            real = RealPath(full);
            if (real is null)
            {
                throw ConnectorException.NotFound($"No such file or directory: '{requested}'.");
            }
        }
        else
        {
            var parent = Path.GetDirectoryName(full);
            var realParent = parent is null ? null : RealPath(parent);
            if (realParent is null)
            {
                throw ConnectorException.NotFound($"The parent directory of '{requested}' does not exist.");
            }

            real = Path.Combine(realParent, Path.GetFileName(full));
            if (RealPath(real) is { } existing)
            {
                real = existing;
            }
        }

        if (!IsInsideAnyRoot(real))
        {
            // A symlink led outside; say so without naming where it points.
            throw Denied(requested);
        }

        return real;
    }

    public ReadinessResult CheckRootsReachable()
    {
        var missing = Roots.Where(r => !Directory.Exists(r)).ToList();
        return missing.Count == 0
            ? ReadinessResult.Ok($"{Roots.Count} root(s) reachable")
            : ReadinessResult.Failed($"missing root(s): {string.Join(", ", missing)}");
    }

    internal bool IsInsideAnyRoot(string fullPath) => Roots.Any(root => IsInside(fullPath, root));

    private static bool IsInside(string path, string root)
    {
        if (string.Equals(path, root, s_pathComparison))
        {
            return true;
        }

        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(rootWithSeparator, s_pathComparison);
    }

    private static ConnectorException Denied(string requested) => ConnectorException.PermissionDenied(
        $"Access denied: '{requested}' is outside the allowed directories. Call list_allowed_directories to see them.");

    private static string ExpandHome(string path)
    {
        // As the reference server: only a leading '~' or '~/' expands.
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..];
        }

        return path;
    }

    /// <summary>The canonical path with every symlink resolved, or null when it does not exist.</summary>
    internal static string? RealPath(string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var resolved = NativeRealPath(path, IntPtr.Zero);
            if (resolved == IntPtr.Zero)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                NativeFree(resolved);
            }
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return null;
        }

        var info = new FileInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeRealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void NativeFree(IntPtr pointer);
}
