using System.Runtime.InteropServices;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        // The client sends initialize at once; warm the protocol's JSON paths on the other core meanwhile.
        var warmUp = Task.Run(WarmUpProtocol, CancellationToken.None);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConnectorLogging(settings, redactor));
        services.AddConnectorMcpServer(server, settings).WithStdioServerTransport();
        services.Replace(ServiceDescriptor.Singleton<ITransport>(provider => new StdioTransport(
            new StdioServerTransport(provider.GetRequiredService<IOptions<McpServerOptions>>().Value, provider.GetService<ILoggerFactory>()),
            new BufferedStream(Console.OpenStandardOutput()))));

        await using var provider = services.BuildServiceProvider();
        ConnectorServiceCollectionExtensions.ValidateAtStart(provider);
        using var exporter = TelemetryExport.StartIfConfigured(settings, server.Name);
        await warmUp;

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

    private static void WarmUpProtocol()
    {
        var request = JsonSerializer.Deserialize(
            """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"warm-up","version":"0"}}}"""u8,
            McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));
        var response = new JsonRpcResponse
        {
            Id = new RequestId(0),
            Result = JsonSerializer.SerializeToNode(
                new InitializeResult { ProtocolVersion = "2025-06-18", Capabilities = new ServerCapabilities(), ServerInfo = new Implementation { Name = "warm-up", Version = "0" } },
                McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeResult))),
        };
        _ = JsonSerializer.SerializeToUtf8Bytes(response, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));
        GC.KeepAlive(request);
    }
}
