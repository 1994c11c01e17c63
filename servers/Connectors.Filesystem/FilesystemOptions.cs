using Connectors.Hosting.Configuration;

namespace Connectors.Filesystem;

public static class FilesystemOptions
{
    /// <summary>Files no tool reads, lists, searches or writes, whatever the roots (secrets that often sit in a project).</summary>
    public static readonly IReadOnlyList<string> DefaultDenyGlobs = [".env*", "*.pem", "*.key", "id_rsa*", ".git/config"];

    public static readonly ConnectorOption<IReadOnlyList<string>> Roots = ConnectorOptions.List(
        "--root", "CONNECTORS_ROOTS", "roots",
        $"A directory the server may use (repeatable; in the environment separated by '{Path.PathSeparator}'). Nothing outside the roots is reachable.",
        separator: Path.PathSeparator);

    public static readonly ConnectorOption<bool> AllowWrite = ConnectorOptions.Flag(
        "--allow-write", "CONNECTORS_ALLOW_WRITE", "allowWrite", "Offer tools that change files (off by default).");

    public static readonly ConnectorOption<IReadOnlyList<string>> Deny = ConnectorOptions.List(
        "--deny", "CONNECTORS_DENY", "deny",
        $"Extra glob of files never read, listed or written, even inside a root (repeatable; comma-separated). Always denied unless --no-default-deny: {string.Join(", ", DefaultDenyGlobs)}.");

    public static readonly ConnectorOption<bool> NoDefaultDeny = ConnectorOptions.Flag(
        "--no-default-deny", "CONNECTORS_NO_DEFAULT_DENY", "noDefaultDeny", "Drop the built-in deny globs (keys, .env files, .git/config).");

    public static readonly ConnectorOption<int> MaxReadBytes = ConnectorOptions.WholeNumber(
        "--max-read-bytes", "CONNECTORS_MAX_READ_BYTES", "limits.maxReadBytes",
        "Most bytes one read takes from a file (text pages beyond it with offset; larger media files are refused).",
        1024 * 1024, 4096, 256 * 1024 * 1024);

    public static readonly ConnectorOption<int> MaxEntries = ConnectorOptions.WholeNumber(
        "--max-entries", "CONNECTORS_MAX_ENTRIES", "limits.maxEntries",
        "Most entries one listing, tree or search returns (the rest by offset).", 1000, 10, 1_000_000);

    public static IReadOnlyList<string> DenyGlobs(IReadOnlyList<string> extra, bool noDefaults) =>
        [.. (noDefaults ? [] : DefaultDenyGlobs).Concat(extra)];
}
