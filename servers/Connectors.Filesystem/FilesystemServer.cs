using Connectors.Filesystem.Tools;
using Connectors.Hosting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Connectors.Filesystem;

/// <summary>The filesystem server's definition: its options, its guard, its tools.</summary>
public static class FilesystemServer
{
    public static ConnectorServer Create()
    {
        var server = new ConnectorServer("connectors-filesystem", "Files under allowed roots, path-traversal-proof.")
        {
            Instructions = "Paths are absolute or relative to the first allowed directory; call list_allowed_directories first. " +
                "Use search_files to find files by name and search_content to find text in them.",
            Options =
            {
                FilesystemOptions.Roots, FilesystemOptions.AllowWrite, FilesystemOptions.DenyPaths, FilesystemOptions.NoDefaultDeny,
                FilesystemOptions.MaxReadBytes, FilesystemOptions.MaxEntries,
            },
        };

        server.ConfigureServices((services, settings) =>
        {
            var guard = PathGuard.Create(
                settings.Get(FilesystemOptions.Roots),
                settings.SourceOf(FilesystemOptions.Roots),
                FilesystemOptions.DenyGlobs(settings.Get(FilesystemOptions.DenyPaths), settings.Get(FilesystemOptions.NoDefaultDeny)));
            services.AddSingleton(guard);
            services.AddSingleton<FileSubscriptions>();
            services.AddSingleton(new FilesystemLimits(settings.Get(FilesystemOptions.MaxReadBytes), settings.Get(FilesystemOptions.MaxEntries)));
            services.AddHealthChecks().AddCheck("roots", guard.CheckRootsReachable, [ConnectorHealth.Ready]);
            if (settings.Get(FilesystemOptions.AllowWrite))
            {
                services.AddConnectorBackgroundWork<StrayTemporaryFileSweep>();
            }
        });
        server.ConfigureMcp((mcp, settings) =>
        {
            var tools = TypedResults.SerializerOptions(FilesystemJsonContext.Default);
            mcp.WithCompactTools<ReadTools>(tools).WithCompactTools<DirectoryTools>(tools).WithCompactTools<SearchTools>(tools).WithResources<FileResources>()
                .WithPrompts<FilesystemPrompts>().WithCompleteHandler(PathCompletions.CompleteAsync);
            AddSubscriptions(mcp, settings);
            if (settings.Get(FilesystemOptions.AllowWrite))
            {
                mcp.WithCompactTools<WriteTools>(tools);
            }
        });
        return server;
    }

    /// <summary>
    /// Over stdio, real subscriptions (advertised). Over HTTP the SDK would answer <c>{}</c> and never send an update, so
    /// the methods are refused instead, and <c>resources.subscribe</c> stays unadvertised.
    /// </summary>
    private static void AddSubscriptions(IMcpServerBuilder mcp, ConnectorSettings settings)
    {
        if (settings.Get(CommonOptions.Transport) == "http")
        {
            mcp.Services.Configure<McpServerOptions>(options =>
            {
                options.Handlers.SubscribeToResourcesHandler = FileSubscriptions.RefuseOverHttp;
                options.Handlers.UnsubscribeFromResourcesHandler = FileSubscriptions.RefuseOverHttp;
            });
            return;
        }

        mcp.WithSubscribeToResourcesHandler((request, ct) => request.Services!.GetRequiredService<FileSubscriptions>().SubscribeAsync(request, ct))
            .WithUnsubscribeFromResourcesHandler((request, ct) => request.Services!.GetRequiredService<FileSubscriptions>().UnsubscribeAsync(request, ct));
    }
}
