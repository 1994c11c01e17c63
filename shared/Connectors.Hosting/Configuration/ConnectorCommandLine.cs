using System.CommandLine;

namespace Connectors.Hosting.Configuration;

/// <summary>The command line of a server: every option documented with its environment variable and default.</summary>
internal sealed class ConnectorCommandLine
{
    public ConnectorCommandLine(ConnectorServer server, IReadOnlyList<ConnectorOption> options)
    {
        Root = new RootCommand($"{server.Name} {server.Version} — {server.Description}{Environment.NewLine}{Environment.NewLine}" +
            $"Also: '{server.Name} doctor [options]' checks a configuration without serving; " +
            $"'{server.Name} print-config vscode|claude-desktop|cursor [options]' prints a client snippet.");
        var cliOptions = new Dictionary<ConnectorOption, Option>();
        foreach (var option in options)
        {
            var cli = Create(option);
            Root.Options.Add(cli);
            cliOptions[option] = cli;
        }

        CliOptions = cliOptions;
    }

    public RootCommand Root { get; }

    public IReadOnlyDictionary<ConnectorOption, Option> CliOptions { get; }

    private static Option Create(ConnectorOption option)
    {
        var env = !option.IsSecret ? $"env: {option.EnvironmentVariable}"
            : option.SecretPartsOf is null ? $"env: {option.EnvironmentVariable} or {option.EnvironmentVariable}_FILE; secret, refused on the command line"
            : $"env: {option.EnvironmentVariable} or {option.EnvironmentVariable}_FILE; refused on the command line when it holds a secret";
        var help = $"{option.Description} [{env}]" + (option.DefaultText is { } d ? $" [default: {d}]" : "");

        Option cli = option.IsFlag ? new Option<bool>(option.Name) { Arity = ArgumentArity.ZeroOrOne }
            : option.IsList ? new Option<string[]>(option.Name) { AllowMultipleArgumentsPerToken = false }
            : new Option<string>(option.Name);
        cli.Description = help;
        cli.HelpName = option.IsFlag ? null : option.Name.TrimStart('-').Split('-')[^1];
        return cli;
    }
}
