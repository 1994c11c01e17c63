using System.Globalization;
using Connectors.Bench;

// Usage:
//   Connectors.Bench startup <runs> <calls> <file-to-read> -- <server command...>
//   Connectors.Bench filesystem <runs> <tree-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]
//   Connectors.Bench database <runs> <calls> <results-dir> <hello-world> <postgres-url> <psql> -- <ours...> [-- <reference...>]
//   Connectors.Bench github|slack <runs> <results-dir> -- <our server command...> [-- <reference server command...>]
//   Connectors.Bench http <runs> <results-dir> <filesystem|database|github|slack>=<server binary> ... [-- <database connection string>]
//   Connectors.Bench http-overhead <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]
//   Connectors.Bench report <results-dir>
var result = args.FirstOrDefault() switch
{
    "startup" => await Startup.RunAsync(args[1..]),
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
    Console.Error.WriteLine("usage: Connectors.Bench startup <runs> <calls> <file> -- <server...>");
    Console.Error.WriteLine("       Connectors.Bench filesystem <runs> <tree-dir> <results-dir> <hello-world> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench database <runs> <calls> <results-dir> <hello-world> <postgres-url> <psql> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench report <results-dir>");
    Console.Error.WriteLine("       Connectors.Bench github|slack <runs> <results-dir> -- <ours...> [-- <reference...>]");
    Console.Error.WriteLine("       Connectors.Bench http-overhead <mcp-url> <tool> <sequential-calls> <clients> <seconds> [bearer-token]");
    Console.Error.WriteLine("       Connectors.Bench http <runs> <results-dir> <server>=<binary>... [-- <database connection string>]");
    return 2;
}

namespace Connectors.Bench
{
    internal static class Startup
    {
        /// <summary>Ready time over fresh processes, idle RSS, and p50/p95 of sequential read_text_file calls.</summary>
        public static async Task<int> RunAsync(string[] args)
        {
            var separator = Array.IndexOf(args, "--");
            if (separator < 3)
            {
                return 2;
            }

            var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
            var calls = int.Parse(args[1], CultureInfo.InvariantCulture);
            var file = args[2];
            var command = args[(separator + 1)..];

            var readyMs = new List<double>();
            var callMs = new List<double>();
            double idleRss = 0, rssAfter = 0;
            for (var run = 0; run < runs; run++)
            {
                var (server, ready) = await StdioServer.StartAsync(command);
                await using (server)
                {
                    readyMs.Add(ready);
                    if (run < runs - 1)
                    {
                        continue;
                    }

                    // The last run measures the steady state: idle memory, then call latency after a short warm-up.
                    await Task.Delay(1000);
                    idleRss = server.RssMb();
                    for (var i = 0; i < calls + 20; i++)
                    {
                        var (_, ms, _) = await server.CallToolAsync("read_text_file", new { path = file });
                        if (i >= 20)
                        {
                            callMs.Add(ms);
                        }
                    }

                    rssAfter = server.RssMb();
                }
            }

            Console.WriteLine($"ready_ms_median={Measure.Percentile(readyMs, 50):F1} ready_ms_min={readyMs.Min():F1} ready_ms_max={readyMs.Max():F1} runs={runs}");
            Console.WriteLine($"idle_rss_mb={idleRss:F1} rss_after_calls_mb={rssAfter:F1}");
            Console.WriteLine($"read_text_file_p50_ms={Measure.Percentile(callMs, 50):F3} read_text_file_p95_ms={Measure.Percentile(callMs, 95):F3} calls={calls}");
            return 0;
        }
    }
}
