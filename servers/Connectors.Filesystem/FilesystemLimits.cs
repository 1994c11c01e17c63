namespace Connectors.Filesystem;

/// <summary>Per-call limits of the filesystem tools (see <see cref="FilesystemOptions"/>).</summary>
/// <param name="MaxReadBytes">Most bytes one read takes from a file.</param>
/// <param name="MaxEntries">Most entries one listing, tree or search returns.</param>
public sealed record FilesystemLimits(int MaxReadBytes, int MaxEntries);
