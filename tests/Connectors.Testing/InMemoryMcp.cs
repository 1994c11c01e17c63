using System.IO.Pipelines;
using Connectors.Hosting;
using Connectors.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Connectors.Testing;

/// <summary>A server definition and an SDK client joined by in-memory pipes: the whole host pipeline, no process.</summary>
public sealed class InMemoryMcp : IAsyncDisposable
{
    private readonly IHost _host;

    private InMemoryMcp(IHost host, McpClient client, StringWriter logs)
    {
        _host = host;
        Client = client;
        LogWriter = logs;
    }

    public McpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    private StringWriter LogWriter { get; }

    /// <summary>Everything the server logged (JSON lines), as stderr would have it.</summary>
    public string Logs
    {
        get
        {
            lock (LogWriter)
            {
                return LogWriter.ToString();
            }
        }
    }

    public static async Task<InMemoryMcp> StartAsync(
        ConnectorServer server, string[] args, IReadOnlyDictionary<string, string>? environment = null, McpClientOptions? clientOptions = null)
    {
        var settings = server.ResolveSettings(args, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null);
        var redactor = new SecretRedactor();
        foreach (var secret in settings.SecretValues())
        {
            redactor.Add(secret);
        }

        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var logs = new StringWriter();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddConnectorLogging(settings, redactor, new LockedWriter(logs));
        builder.Services.AddConnectorMcpServer(server, settings)
            .WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        var host = builder.Build();
        ConnectorServiceCollectionExtensions.ValidateAtStart(host.Services);
        await host.StartAsync();

        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()), clientOptions);
        return new InMemoryMcp(host, client, logs);
    }

    public async Task<CallToolResult> CallAsync(string tool, object? arguments = null, CancellationToken cancellationToken = default)
    {
        var dictionary = arguments switch
        {
            null => new Dictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> d => d,
            _ => arguments.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(arguments)),
        };
        return await Client.CallToolAsync(tool, dictionary, cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class LockedWriter(StringWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void WriteLine(string? value)
        {
            lock (inner)
            {
                inner.WriteLine(value);
            }
        }

        public override void Write(char value)
        {
            lock (inner)
            {
                inner.Write(value);
            }
        }
    }
}
