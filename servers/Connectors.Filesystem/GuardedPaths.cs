using Connectors.Filesystem.Native;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>An allowed root: its canonical real path and a handle every lookup below it starts from.</summary>
public sealed class AllowedRoot(string path, IReadOnlyList<string> aliases, SafeFileHandle handle) : IDisposable
{
    public string Path { get; } = path;

    /// <summary>The path as configured, when it differs from the real one (e.g. through a symlinked parent).</summary>
    internal IReadOnlyList<string> Aliases { get; } = aliases;

    internal SafeFileHandle Handle { get; } = handle;

    public void Dispose() => Handle.Dispose();
}

/// <summary>A requested path, placed lexically under a root. Nothing on disk has been looked at yet.</summary>
/// <param name="Root">The root it is under.</param>
/// <param name="Relative">'/'-separated, without '.', '..' or empty names; empty for the root itself.</param>
/// <param name="Requested">As the client wrote it, for messages.</param>
public readonly record struct GuardedPath(AllowedRoot Root, string Relative, string Requested)
{
    public string FullPath => PathGuard.Join(Root.Path, Relative);

    public string Name => Relative.Length == 0 ? System.IO.Path.GetFileName(Root.Path) : Relative[(Relative.LastIndexOf('/') + 1)..];

    public GuardedPath Child(string name) => new(Root, Relative.Length == 0 ? name : Relative + "/" + name, PathGuard.Join(Requested, name));
}

/// <summary>A file or directory opened beneath a root, with where it really is.</summary>
public sealed class OpenedPath(SafeFileHandle handle, FileStatus status, GuardedPath real) : IDisposable
{
    public SafeFileHandle Handle { get; } = handle;

    public FileStatus Status { get; } = status;

    /// <summary>The object's real location (symlinks inside the roots resolved).</summary>
    public GuardedPath Real { get; } = real;

    public void Dispose() => Handle.Dispose();
}
