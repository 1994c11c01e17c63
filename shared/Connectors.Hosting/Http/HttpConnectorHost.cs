using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Security;
using Connectors.Hosting.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Connectors.Hosting.Http;

/// <summary>Serves Streamable HTTP on Kestrel: <c>/mcp</c>, <c>/healthz</c>, <c>/readyz</c>.</summary>
internal static class HttpConnectorHost
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static async Task<int> RunAsync(ConnectorServer server, ConnectorSettings settings, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var urls = settings.Get(CommonOptions.Urls) is { Count: > 0 } configured ? configured : [DefaultUrl];
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
            {
                throw new ConnectorConfigurationException($"--urls (from {settings.SourceOf(CommonOptions.Urls)}): '{url}' is not an address such as http://127.0.0.1:8080.");
            }
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = server.Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Our own command line, environment and config file are the only configuration; ASPNETCORE_* must not override them.
        // OpenTelemetry reads its standard OTEL_* settings from here (only when export is on).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(ConnectorTelemetry.Configuration(settings));
        builder.Logging.AddConnectorLogging(settings, redactor);
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.Get(CommonOptions.MaxRequestBytes);
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o =>
            o.ShutdownTimeout = TimeSpan.FromSeconds(settings.Get(CommonOptions.ShutdownTimeoutSeconds)));
        builder.Services.AddSingleton(HostOriginValidator.From(settings));
        builder.Services.AddConnectorMcpServer(server, settings).WithConnectorHttpTransport(settings);
        builder.Services.AddConnectorAuthentication(server, settings, urls);
        builder.Services.AddConnectorTelemetry(server, settings, aspNetCore: true);

        await using var app = builder.Build();
        ConnectorServiceCollectionExtensions.ValidateAtStart(app.Services);
        app.UseConnectorAuthentication();
        if (settings.Get(SecurityOptions.ConcurrentRequestsPerIdentity) > 0)
        {
            // Its only policy is the cap on requests in flight; without one the middleware would look up every endpoint for nothing.
            app.UseRateLimiter();
        }

        app.UseMcpRequestGuards();
        app.MapConnectorHealth();
        app.MapConnectorMcp(settings).RequireConnectorCaller(settings);

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Another process holds the port: a configuration error to fix, not a crash with a stack trace.
            throw new ConnectorConfigurationException($"--urls (from {settings.SourceOf(CommonOptions.Urls)}): {ex.Message} Stop what listens there or choose another port.");
        }

        StartupGarbage.CollectSoon(cancellationToken);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Connectors.Http");
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            logger.LogInformation("Listening on {Url}", address);
        }

        if (settings.Get(CommonOptions.AllowHosts).Count == 0 && urls.Any(u => !HttpSecurityExtensions.IsLoopbackUrl(u)))
        {
            logger.LogWarning("Listening beyond loopback, but only loopback Host headers are accepted; set --allow-hosts to the names clients use.");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
