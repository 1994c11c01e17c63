using System.CommandLine;
using System.Reflection;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting;

/// <summary>
/// One Connectors MCP server: its name, its own options, its services and tools. <see cref="RunAsync"/> parses the
/// command line, validates the configuration and serves over stdio or Streamable HTTP.
/// </summary>
public sealed class ConnectorServer(string name, string description)
{
    private readonly List<Action<IServiceCollection, ConnectorSettings>> _configureServices = [];
    private readonly List<Action<IMcpServerBuilder, ConnectorSettings>> _configureMcp = [];

    /// <summary>The server's name as clients see it, e.g. <c>connectors-filesystem</c>.</summary>
    public string Name { get; } = name;

    public string Description { get; } = description;

    public string Version { get; init; } =
        Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Instructions sent to clients at initialization (how to use this server's tools well).</summary>
    public string? Instructions { get; init; }

    /// <summary>The server's own options, added to the shared ones.</summary>
    public IList<ConnectorOption> Options { get; } = [];

    /// <summary>
    /// The secrets an IDE client supplies (what <c>print-config</c> asks for); empty means every secret option of this
    /// server. A server with alternative credentials names the usual one (a token rather than an App key).
    /// </summary>
    public IList<ConnectorOption> ClientSecrets { get; } = [];

    /// <summary>Top-level config-file sections this server reads itself (e.g. database profiles).</summary>
    public IList<string> ConfigSections { get; } = [];

    /// <summary>Registers services; throw <see cref="ConnectorConfigurationException"/> for an invalid configuration.</summary>
    public ConnectorServer ConfigureServices(Action<IServiceCollection, ConnectorSettings> configure)
    {
        _configureServices.Add(configure);
        return this;
    }

    /// <summary>Adds tools, resources and prompts.</summary>
    public ConnectorServer ConfigureMcp(Action<IMcpServerBuilder, ConnectorSettings> configure)
    {
        _configureMcp.Add(configure);
        return this;
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        switch (args.FirstOrDefault())
        {
            case Diagnostics.DoctorCommand.Name:
                return await Diagnostics.DoctorCommand.RunAsync(this, args[1..], Console.Out, cancellationToken);
            case Diagnostics.PrintConfigCommand.Name:
                return await Diagnostics.PrintConfigCommand.RunAsync(this, args[1..], Console.Out, Console.Error);
            case Diagnostics.HealthcheckCommand.Name:
                return await Diagnostics.HealthcheckCommand.RunAsync(args[1..], Console.Error, cancellationToken);
        }

        var options = CommonOptions.All.Concat(Options).ToList();
        var command = new ConnectorCommandLine(this, options);
        var parseResult = command.Root.Parse(args);
        command.Root.SetAction(async (result, ct) =>
        {
            ConnectorSettings settings;
            try
            {
                settings = new SettingsResolver(options, [.. ConfigSections], Environment.GetEnvironmentVariable)
                    .Resolve(result, command);
                if (!HostingFeatures.IsHttpSupported && settings.Get(CommonOptions.Transport) == "http")
                {
                    // Before any report of ours, so the full build gives each once.
                    HttpBuildHandoff.ExecFullBuildIfPresent();
                }

                settings.RefuseSecretsOnCommandLine();
                await ReportDeprecationsAsync(settings);
            }
            catch (ConnectorConfigurationException ex)
            {
                await ReportConfigurationErrorAsync(ex);
                return 2;
            }

            var redactor = new SecretRedactor();
            foreach (var secret in settings.SecretValues())
            {
                redactor.Add(secret);
            }

            try
            {
                if (settings.Get(CommonOptions.Transport) == "http")
                {
                    return HostingFeatures.IsHttpSupported
                        ? await Http.HttpConnectorHost.RunAsync(this, settings, redactor, ct)
                        : throw new ConnectorConfigurationException(
                            $"This build serves stdio only (eng/publish.sh --stdio-only) and has no full build beside it ({Environment.ProcessPath}{HttpBuildHandoff.Suffix}); for --transport http run the full build or the container image.");
                }

                return await StdioConnectorHost.RunAsync(this, settings, redactor, ct);
            }
            catch (ConnectorConfigurationException ex)
            {
                await ReportConfigurationErrorAsync(ex, redactor);
                return 2;
            }
        });

        // Signals are the host's business (graceful shutdown), not the parser's.
        return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken);
    }

    /// <summary>Parses a command line of this server's options without resolving them.</summary>
    internal (IReadOnlyList<ConnectorOption> Options, ParseResult Parse, ConnectorCommandLine Command) ParseCommandLine(string[] args)
    {
        var options = CommonOptions.All.Concat(Options).ToList();
        var command = new ConnectorCommandLine(this, options);
        return (options, command.Root.Parse(args), command);
    }

    /// <summary>Resolves settings as <see cref="RunAsync"/> would, without serving (tests, tooling).</summary>
    internal ConnectorSettings ResolveSettings(string[] args, Func<string, string?> environment)
    {
        var options = CommonOptions.All.Concat(Options).ToList();
        var command = new ConnectorCommandLine(this, options);
        var parseResult = command.Root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            throw new ConnectorConfigurationException(string.Join(Environment.NewLine, parseResult.Errors.Select(e => e.Message)));
        }

        return new SettingsResolver(options, [.. ConfigSections], environment).Resolve(parseResult, command);
    }

    /// <summary>Earlier spellings keep working; stderr says which, and what to write instead.</summary>
    internal async Task ReportDeprecationsAsync(ConnectorSettings settings)
    {
        foreach (var warning in settings.Deprecations)
        {
            await Console.Error.WriteLineAsync($"{Name}: warning: {warning}");
        }
    }

    private async Task ReportConfigurationErrorAsync(ConnectorConfigurationException ex, SecretRedactor? redactor = null)
    {
        var message = redactor?.Redact(ex.Message) ?? ex.Message;
        await Console.Error.WriteLineAsync($"{Name}: invalid configuration:{Environment.NewLine}  {message.Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal)}{Environment.NewLine}Run '{Name} --help' for the options.");
    }

    internal void ApplyServices(IServiceCollection services, ConnectorSettings settings)
    {
        foreach (var configure in _configureServices)
        {
            configure(services, settings);
        }
    }

    internal void ApplyMcp(IMcpServerBuilder builder, ConnectorSettings settings)
    {
        foreach (var configure in _configureMcp)
        {
            configure(builder, settings);
        }
    }
}
