using Connectors.Hosting.Configuration;

namespace Connectors.Filesystem;

public static class FilesystemOptions
{
    public static readonly ConnectorOption<IReadOnlyList<string>> Roots = ConnectorOptions.List(
        "--root", "CONNECTORS_ROOTS", "roots",
        $"A directory the server may use (repeatable; in the environment separated by '{Path.PathSeparator}'). Nothing outside the roots is reachable.",
        separator: Path.PathSeparator);

    public static readonly ConnectorOption<bool> AllowWrite = ConnectorOptions.Flag(
        "--allow-write", "CONNECTORS_ALLOW_WRITE", "allowWrite", "Offer tools that change files (off by default).");
}
