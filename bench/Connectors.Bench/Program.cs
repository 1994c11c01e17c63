using Connectors.Bench;

// Usage:
//   Connectors.Bench startup <runs> <calls> <root-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]
//   Connectors.Bench filesystem <runs> <tree-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]
//   Connectors.Bench database <runs> <calls> <results-dir> <hello-world> <postgres-url> <psql> -- <ours...> [-- <reference...>]
//   Connectors.Bench github|slack <runs> <results-dir> -- <our server command...> [-- <reference server command...>]
//   Connectors.Bench http <runs> <results-dir> <filesystem|database|github|slack>=<server binary> ... [-- <database connection string>]
//   Connectors.Bench http-overhead <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]
//   Connectors.Bench report <results-dir>
var result = args.FirstOrDefault() switch
{
    "startup" => await StartupWorkload.RunAsync(args[1..]),
    "filesystem" => await FilesystemWorkload.RunAsync(args[1..]),
    "database" => await DatabaseWorkload.RunAsync(args[1..]),
    "github" => await GitHubWorkload.RunAsync(args[1..]),
    "slack" => await SlackWorkload.RunAsync(args[1..]),
    "http" => await HttpWorkload.RunAsync(args[1..]),
    "http-overhead" => await HttpOverhead.RunAsync(args[1..]),
    "report" => Report.Run(args[1..]),
    _ => 2,
};
return result == 2 ? Usage() : result;

static int Usage()
{
    Console.Error.WriteLine("usage: Connectors.Bench startup <runs> <calls> <root-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench filesystem <runs> <tree-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench database <runs> <calls> <results-dir> <hello-world> <postgres-url> <psql> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench report <results-dir>");
    Console.Error.WriteLine("       Connectors.Bench github|slack <runs> <results-dir> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench http-overhead <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]");
    Console.Error.WriteLine("       Connectors.Bench http <runs> <results-dir> <server>=<binary>... [-- <database connection string>]");
    return 2;
}
