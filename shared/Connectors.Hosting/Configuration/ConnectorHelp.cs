using System.CommandLine;
using System.CommandLine.Invocation;

namespace Connectors.Hosting.Configuration;

/// <summary>
/// --help: the server's own options first, then the shared ones grouped by topic; each line names the option's
/// environment variable, config key and default, so the text doubles as the configuration reference.
/// </summary>
internal sealed class ConnectorHelp(ConnectorServer server, IReadOnlyList<ConnectorOption> options) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var shared = CommonOptions.All.ToHashSet();
        var own = options.Where(o => !shared.Contains(o)).ToList();
        var sections = new List<(string Title, IReadOnlyList<ConnectorOption> Options)>();
        if (own.Count > 0)
        {
            sections.Add(($"Options of {server.Name}", own));
        }

        sections.AddRange(CommonOptions.Topics.Select(t => ($"Shared options: {t.Topic}", t.Options)));

        var heads = options.ToDictionary(o => o, o => o.IsFlag ? o.Name : $"{o.Name} <{ValueName(o)}>");
        var width = heads.Values.Max(h => h.Length) + 2;

        output.WriteLine($"{server.Name} {server.Version} — {server.Description}");
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {server.Name} [options]                 serve (stdio unless --transport http)");
        output.WriteLine($"  {server.Name} doctor [options]          check a configuration without serving");
        output.WriteLine($"  {server.Name} print-config vscode|claude-desktop|cursor [options]   print a client snippet");
        foreach (var (title, list) in sections)
        {
            output.WriteLine();
            output.WriteLine($"{title}:");
            foreach (var option in list)
            {
                output.WriteLine($"  {heads[option].PadRight(width)}{Describe(option)}");
            }
        }

        output.WriteLine();
        output.WriteLine("Other:");
        output.WriteLine($"  {"-?, -h, --help".PadRight(width)}Show this help.");
        output.WriteLine($"  {"--version".PadRight(width)}Show the version.");
        return 0;
    }

    internal static string Describe(ConnectorOption option)
    {
        var env = !option.IsSecret ? $"env: {option.EnvironmentVariable}"
            : option.SecretPartsOf is null ? $"env: {option.EnvironmentVariable} or {option.EnvironmentVariable}_FILE; secret, refused on the command line"
            : $"env: {option.EnvironmentVariable} or {option.EnvironmentVariable}_FILE; refused on the command line when it holds a secret";
        var config = option.ConfigKey.Length > 0 ? $" [config: {option.ConfigKey}]" : "";
        return $"{option.Description} [{env}]{config}" + (option.DefaultText is { } d ? $" [default: {d}]" : "");
    }

    internal static string? ValueName(ConnectorOption option) => option.IsFlag ? null : option.Name.TrimStart('-').Split('-')[^1];
}
