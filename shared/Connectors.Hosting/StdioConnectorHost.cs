using System.Runtime.InteropServices;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Stdio;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Connectors.Hosting;

/// <summary>
/// Serves one client over stdin/stdout with the SDK's stream transport. No generic host and nothing from ASP.NET Core:
/// a service provider and the server's run loop are all an IDE launch pays for.
/// </summary>
internal static class StdioConnectorHost
{
    public static async Task<int> RunAsync(ConnectorServer server, ConnectorSettings settings, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        // The client sends initialize at once; where code is compiled at run time (not under Native AOT), warm the
        // protocol's JSON paths on the other core meanwhile. Not awaited: this thread never waits for it (a method the
        // warm-up is compiling is simply compiled once), and should it fail, the same code runs again where it is needed.
        // Under Native AOT there is nothing to compile, and building every type's metadata up front only costs memory
        // (0.7-1.0 MB of idle RSS, eng/bench-startup.sh).
        if (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            _ = Task.Run(WarmUpProtocol, CancellationToken.None);
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConnectorLogging(settings, redactor));
        // Our own framing around the SDK's stream transport: every line that is not a message gets its JSON-RPC error
        // (CheckedInputStream), and our writer sends the SDK's messages (StdioTransport) whole (WholeMessageOutputStream).
        var output = new WholeMessageOutputStream(new BufferedStream(Console.OpenStandardOutput()));
        var input = new CheckedInputStream(Console.OpenStandardInput(), output, settings.Get(CommonOptions.MaxRequestBytes));
        // WithStdioServerTransport registers the session services with a lazy transport, which ours replaces unbuilt
        // (WithStreamServerTransport would build its own at once and a second reader would race ours on stdin).
        services.AddConnectorMcpServer(server, settings).WithStdioServerTransport();
        services.Replace(ServiceDescriptor.Singleton<ITransport>(provider => new StdioTransport(
            new StreamServerTransport(input, output, server.Name, provider.GetService<ILoggerFactory>()), output)));
        services.AddConnectorTelemetry(server, settings, aspNetCore: false);

        await using var provider = services.BuildServiceProvider();
        ConnectorServiceCollectionExtensions.ValidateAtStart(provider);
        ConnectorTelemetry.StartWithoutHost(provider, settings);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        StartupGarbage.CollectSoon(stop.Token);
        // A server's background work runs here too (only that: the SDK registers hosted services of its own for stdio,
        // which this host replaces).
        var hostedServices = provider.GetServices<ConnectorBackgroundWork>().Select(w => w.Work).ToList();
        foreach (var hosted in hostedServices)
        {
            await hosted.StartAsync(stop.Token);
        }

        try
        {
            // Ends when the client closes stdin, or on a signal.
            await provider.GetRequiredService<McpServer>().RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            for (var i = hostedServices.Count - 1; i >= 0; i--)
            {
                await hostedServices[i].StopAsync(CancellationToken.None);
            }
        }

        return 0;
    }

    /// <summary>
    /// The protocol types whose JSON metadata the server builds before it answers initialize (its request handlers) or
    /// soon after. Building one compiles System.Text.Json's generic code for each value-typed property (ReadyToRun cannot
    /// precompile those across assemblies): several hundred methods, which the server's own thread would otherwise compile.
    /// </summary>
    private static readonly Type[] s_protocolTypes =
    [
        typeof(InitializeRequestParams), typeof(PingRequestParams), typeof(PingResult), typeof(EmptyResult), typeof(JsonRpcError),
        typeof(ListToolsRequestParams), typeof(ListToolsResult), typeof(CallToolRequestParams), typeof(CallToolResult),
        typeof(ListPromptsRequestParams), typeof(ListPromptsResult), typeof(GetPromptRequestParams), typeof(GetPromptResult),
        typeof(ListResourcesRequestParams), typeof(ListResourcesResult), typeof(ListResourceTemplatesRequestParams),
        typeof(ListResourceTemplatesResult), typeof(ReadResourceRequestParams), typeof(ReadResourceResult),
        typeof(SubscribeRequestParams), typeof(UnsubscribeRequestParams), typeof(CompleteRequestParams), typeof(CompleteResult),
        typeof(CancelledNotificationParams), typeof(ProgressNotificationParams), typeof(InitializedNotificationParams),
        typeof(ToolListChangedNotificationParams), typeof(ResourceListChangedNotificationParams),
        typeof(PromptListChangedNotificationParams), typeof(ResourceUpdatedNotificationParams),
    ];

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
        foreach (var type in s_protocolTypes)
        {
            _ = McpJsonUtilities.DefaultOptions.GetTypeInfo(type);
        }
    }
}
