using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Connectors.Hosting;

/// <summary>Serves one client over stdin/stdout with the SDK's stdio transport. Nothing from ASP.NET Core is loaded.</summary>
internal static class StdioConnectorHost
{
    public static async Task<int> RunAsync(ConnectorServer server, ConnectorSettings settings, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = server.Name });
        builder.Logging.AddConnectorLogging(settings, redactor);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddConnectorMcpServer(server, settings).WithStdioServerTransport();

        using var host = builder.Build();
        ConnectorServiceCollectionExtensions.ValidateAtStart(host.Services);
        using var exporter = TelemetryExport.StartIfConfigured(settings, server.Name);
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
