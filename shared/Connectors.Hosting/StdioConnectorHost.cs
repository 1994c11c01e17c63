using System.Runtime.InteropServices;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace Connectors.Hosting;

/// <summary>
/// Serves one client over stdin/stdout with the SDK's stdio transport. No generic host and nothing from ASP.NET Core:
/// a service provider and the server's run loop are all an IDE launch pays for.
/// </summary>
internal static class StdioConnectorHost
{
    public static async Task<int> RunAsync(ConnectorServer server, ConnectorSettings settings, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConnectorLogging(settings, redactor));
        services.AddConnectorMcpServer(server, settings).WithStdioServerTransport();

        await using var provider = services.BuildServiceProvider();
        ConnectorServiceCollectionExtensions.ValidateAtStart(provider);
        using var exporter = TelemetryExport.StartIfConfigured(settings, server.Name);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            // Ends when the client closes stdin, or on a signal.
            await provider.GetRequiredService<McpServer>().RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return 0;
    }
}
