using Connectors.Hosting.Configuration;
using Connectors.Hosting.Diagnostics;
using Connectors.Hosting.Logging;
using Connectors.Hosting.Output;
using Connectors.Hosting.Security;
using Connectors.Hosting.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting;

/// <summary>The parts every transport shares; each does nothing beyond its defaults without configuration.</summary>
public static class ConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Work a server runs in the background while it serves, on either transport: a hosted service of the HTTP host's
    /// generic host, and started (then stopped) by the stdio host, which has no generic host. Not run by <c>doctor</c>.
    /// </summary>
    public static IServiceCollection AddConnectorBackgroundWork<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TWork>(this IServiceCollection services)
        where TWork : class, IHostedService
    {
        services.AddSingleton<TWork>();
        services.AddSingleton<ConnectorBackgroundWork>(provider => new ConnectorBackgroundWork(provider.GetRequiredService<TWork>()));
        services.AddHostedService(provider => provider.GetRequiredService<TWork>());
        return services;
    }

    /// <summary>JSON logs on stderr at the configured level, secrets redacted.</summary>
    public static ILoggingBuilder AddConnectorLogging(this ILoggingBuilder logging, ConnectorSettings settings, SecretRedactor redactor, TextWriter? output = null)
    {
        logging.ClearProviders();
        logging.Services.AddSingleton(redactor);
        logging.AddProvider(new JsonStderrLoggerProvider(redactor, output));
        var level = settings.Get(CommonOptions.LogLevel) switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => LogLevel.Information,
        };
        logging.SetMinimumLevel(level);
        if (level > LogLevel.Debug)
        {
            // Framework chatter (per-request lines) only when asked for.
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("ModelContextProtocol", LogLevel.Warning);
            // Polly logs every HTTP attempt at Information; retries and open circuits are Warning and Error.
            logging.AddFilter("Polly", level > LogLevel.Warning ? level : LogLevel.Warning);
        }

        return logging;
    }

    /// <summary>
    /// Registers the MCP server with the shared tool pipeline (argument validation, deadline, error mapping, output
    /// budget, audit) and tool selection (annotations required, read-only, allow/deny), then the server's own parts.
    /// </summary>
    public static IMcpServerBuilder AddConnectorMcpServer(this IServiceCollection services, ConnectorServer server, ConnectorSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new OutputBudget(settings.Get(CommonOptions.MaxOutputBytes)));
        services.AddSingleton<IPostConfigureOptions<McpServerOptions>>(new ToolSelection(settings));
        services.AddConnectorHealthChecks();
        Redis.RedisConnection.AddTo(services, settings, server.Name);
        server.ApplyServices(services, settings);

        services.AddSingleton(sp => new ToolAccess(settings, server.Name, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new DeniedToolsSync(sp.GetRequiredService<IOptions<McpServerOptions>>().Value, sp.GetRequiredService<ToolAccess>()));
        services.AddSingleton(sp => new CallLimits(settings, sp.GetService<Redis.RedisConnection>()));
        services.AddSingleton(sp => new AuditLog(settings, server.Name, sp.GetService<SecretRedactor>() ?? new SecretRedactor()));
        services.AddSingleton(sp => new ToolCallPipeline(
            sp.GetRequiredService<OutputBudget>(),
            TimeSpan.FromSeconds(settings.Get(CommonOptions.ToolTimeoutSeconds)),
            sp.GetRequiredService<ToolAccess>(),
            sp.GetRequiredService<CallLimits>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<ILoggerFactory>()));
        var builder = services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = server.Name, Version = server.Version, Title = server.Description };
                options.ServerInstructions = server.Instructions;
            })
            .WithRequestFilters(filters =>
            {
                filters.AddCallToolFilter(next => (context, cancellationToken) =>
                {
                    var pipeline = (context.Services ?? throw new InvalidOperationException("No services on the request.")).GetRequiredService<ToolCallPipeline>();
                    return pipeline.Wrap(next)(context, cancellationToken);
                });
                filters.AddListToolsFilter(next => async (context, cancellationToken) =>
                {
                    // Each caller sees only the tools its scopes reach and that denyTools has not switched off.
                    var result = await next(context, cancellationToken);
                    var access = (context.Services ?? throw new InvalidOperationException("No services on the request.")).GetRequiredService<ToolAccess>();
                    var caller = CallerIdentity.From(context.User);
                    result.Tools = [.. result.Tools.Where(tool => access.IsVisible(tool, caller))];
                    return result;
                });
                filters.AddListCacheHints();
            });
        server.ApplyMcp(builder, settings);
        return builder;
    }

    /// <summary>Resolves the MCP options and the security parts once so configuration errors stop the process before it serves.</summary>
    internal static void ValidateAtStart(IServiceProvider services)
    {
        var tools = services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection ?? [];
        _ = services.GetRequiredService<ToolCallPipeline>();
        if (services.GetRequiredService<ToolAccess>().Reloads)
        {
            _ = services.GetRequiredService<DeniedToolsSync>();
        }
        services.GetRequiredService<ToolAccess>().CheckOverrides(tools.Select(t => t.ProtocolTool.Name), services.GetRequiredService<ConnectorSettings>());
    }
}

/// <summary>One piece of background work (<see cref="ConnectorServiceCollectionExtensions.AddConnectorBackgroundWork"/>), as the stdio host finds it.</summary>
internal sealed record ConnectorBackgroundWork(IHostedService Work);
