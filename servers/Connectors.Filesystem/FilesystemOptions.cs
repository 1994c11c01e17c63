using Connectors.Hosting.Configuration;

namespace Connectors.Filesystem;

public static class FilesystemOptions
{
    /// <summary>Files no tool reads, lists, searches or writes, whatever the roots (secrets that often sit in a project).</summary>
    public static readonly IReadOnlyList<string> DefaultDenyGlobs = [".env*", "*.pem", "*.key", "id_rsa*", ".git/config"];

    public static readonly ConnectorOption<IReadOnlyList<string>> Roots = ConnectorOption.List(
        "--roots", "CONNECTORS_FILESYSTEM_ROOTS", "filesystem.roots",
        $"Directories the server may use (repeatable; in the environment separated by '{Path.PathSeparator}'). Nothing outside the roots is reachable.",
        separator: Path.PathSeparator).Formerly("--root", "CONNECTORS_ROOTS", "roots");

    public static readonly ConnectorOption<bool> AllowWrite = ConnectorOption.Flag(
        "--allow-write", "CONNECTORS_FILESYSTEM_ALLOW_WRITE", "filesystem.allowWrite", "Offer tools that change files (off by default).").Formerly(environmentVariable: "CONNECTORS_ALLOW_WRITE", configKey: "allowWrite");

    public static readonly ConnectorOption<IReadOnlyList<string>> DenyPaths = ConnectorOption.List(
        "--deny-paths", "CONNECTORS_FILESYSTEM_DENY_PATHS", "filesystem.denyPaths",
        $"Extra globs of files never read, listed or written, even inside a root (repeatable; comma-separated). Always denied unless --no-default-deny: {string.Join(", ", DefaultDenyGlobs)}.").Formerly("--deny", "CONNECTORS_DENY", "deny");

    public static readonly ConnectorOption<bool> NoDefaultDeny = ConnectorOption.Flag(
        "--no-default-deny", "CONNECTORS_FILESYSTEM_NO_DEFAULT_DENY", "filesystem.noDefaultDeny", "Drop the built-in deny globs (keys, .env files, .git/config).").Formerly(environmentVariable: "CONNECTORS_NO_DEFAULT_DENY", configKey: "noDefaultDeny");

    public static readonly ConnectorOption<int> MaxReadBytes = ConnectorOption.WholeNumber(
        "--max-read-bytes", "CONNECTORS_FILESYSTEM_MAX_READ_BYTES", "filesystem.maxReadBytes",
        "Most bytes one read takes from a file (text pages beyond it with offset; larger media files are refused).",
        1024 * 1024, 4096, 256 * 1024 * 1024).Formerly(environmentVariable: "CONNECTORS_MAX_READ_BYTES", configKey: "limits.maxReadBytes");

    public static readonly ConnectorOption<int> MaxEntries = ConnectorOption.WholeNumber(
        "--max-entries", "CONNECTORS_FILESYSTEM_MAX_ENTRIES", "filesystem.maxEntries",
        "Most entries one listing, tree or search returns (the rest by offset).", 1000, 10, 1_000_000).Formerly(environmentVariable: "CONNECTORS_MAX_ENTRIES", configKey: "limits.maxEntries");

    public static IReadOnlyList<string> DenyGlobs(IReadOnlyList<string> extra, bool noDefaults) =>
        [.. (noDefaults ? [] : DefaultDenyGlobs).Concat(extra)];
}
