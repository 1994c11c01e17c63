using Connectors.Filesystem.Tools;
using Connectors.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Filesystem;

/// <summary>The filesystem server's definition: its options, its guard, its tools.</summary>
public static class FilesystemServer
{
    public static ConnectorServer Create()
    {
        var server = new ConnectorServer("connectors-filesystem", "Files under allowed roots, path-traversal-proof.")
        {
            Instructions = "Paths are absolute or relative to the first allowed directory; call list_allowed_directories first.",
            Options = { FilesystemOptions.Roots, FilesystemOptions.AllowWrite },
        };

        server.ConfigureServices((services, settings) =>
        {
            var guard = PathGuard.Create(settings.Get(FilesystemOptions.Roots), settings.SourceOf(FilesystemOptions.Roots));
            services.AddSingleton(guard);
            services.AddReadinessCheck("roots", (_, _) => Task.FromResult(guard.CheckRootsReachable()));
        });
        server.ConfigureMcp((mcp, _) => mcp.WithTools<FilesystemTools>());
        return server;
    }
}
