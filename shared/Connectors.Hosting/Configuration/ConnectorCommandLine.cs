using System.CommandLine;
using System.CommandLine.Help;

namespace Connectors.Hosting.Configuration;

/// <summary>The command line of a server: every option documented with its environment variable and default.</summary>
internal sealed class ConnectorCommandLine
{
    public ConnectorCommandLine(ConnectorServer server, IReadOnlyList<ConnectorOption> options)
    {
        Root = new RootCommand(server.Description);
        var cliOptions = new Dictionary<ConnectorOption, Option>();
        var formerOptions = new Dictionary<ConnectorOption, IReadOnlyList<Option>>();
        foreach (var option in options)
        {
            var cli = Create(option, option.Name);
            Root.Options.Add(cli);
            cliOptions[option] = cli;

            // Earlier names still parse, hidden from --help; the resolver warns when one is used.
            var former = option.Former.Where(f => f.Name is not null).Select(f => Create(option, f.Name!)).ToList();
            foreach (var old in former)
            {
                old.Hidden = true;
                Root.Options.Add(old);
            }

            formerOptions[option] = former;
        }

        if (Root.Options.OfType<HelpOption>().FirstOrDefault() is { } help)
        {
            help.Action = new ConnectorHelp(server, options);
        }

        CliOptions = cliOptions;
        FormerCliOptions = formerOptions;
    }

    public RootCommand Root { get; }

    public IReadOnlyDictionary<ConnectorOption, Option> CliOptions { get; }

    /// <summary>The hidden options of each option's earlier names.</summary>
    public IReadOnlyDictionary<ConnectorOption, IReadOnlyList<Option>> FormerCliOptions { get; }

    /// <summary>The option as given on the command line, under its name or an earlier one; null when not given.</summary>
    public System.CommandLine.Parsing.OptionResult? Given(ParseResult parseResult, ConnectorOption option) =>
        FormerCliOptions[option].Prepend(CliOptions[option])
            .Select(cli => parseResult.GetResult(cli))
            .OfType<System.CommandLine.Parsing.OptionResult>()
            .FirstOrDefault(r => !r.Implicit);

    private static Option Create(ConnectorOption option, string name)
    {
        Option cli = option.IsFlag ? new Option<bool>(name) { Arity = ArgumentArity.ZeroOrOne }
            : option.IsList ? new Option<string[]>(name) { AllowMultipleArgumentsPerToken = false }
            : new Option<string>(name);
        cli.Description = ConnectorHelp.Describe(option);
        cli.HelpName = ConnectorHelp.ValueName(option);
        return cli;
    }
}
