using System.Text.RegularExpressions;

namespace Connectors.Bench;

/// <summary>
/// The database workload of issue 5 on a throwaway PostgreSQL cluster holding <c>bench</c> (200,000 rows) and the tables
/// <c>wide_001</c>…<c>wide_300</c>: ours and the Node reference server-postgres side by side, each run a fresh process
/// (ready, idle RSS, point-query p50/p95, list and describe over the 300-table schema, <c>SELECT *</c> with the default
/// cap, peak RSS); then ours with the cap raised to the whole table, its in-server time (the audit log's durationMs) next
/// to <c>psql COPY</c>, and its RSS after each answer. Writes bench/results/database.{csv,md}.
/// </summary>
internal static partial class DatabaseWorkload
{
    private const string Server = "database";
    private const string Table = "bench";
    private const string DescribedTable = "wide_150";
    private const int TableRows = 200_000;
    private const int WarmUpCalls = 20;
    private const string CopyFloor = "psql COPY (SELECT * FROM bench) TO STDOUT";

    /// <summary>database &lt;runs&gt; &lt;calls&gt; &lt;results-dir&gt; &lt;hello-world&gt; &lt;postgres-url&gt; &lt;psql&gt; -- &lt;ours...&gt; [-- &lt;reference...&gt;]</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var commands = ServerCommands.Parse(args, 6);
        if (commands is null)
        {
            return 2;
        }

        var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
        var calls = int.Parse(args[1], CultureInfo.InvariantCulture);
        var resultsDirectory = args[2];
        var (hello, url, psql) = (args[3], args[4], args[5]);

        var rows = new List<Measurement>
        {
            Floors.HelloWorldReady(Server, runs, hello),
            Floors.Process(Server, CopyFloor, runs, psql, "-X", "-q", "-d", url, "-c", $"COPY (SELECT * FROM {Table}) TO STDOUT"),
            await Floors.PostgresRoundTripAsync(Server, runs, calls, ConnectionString()),
        };

        rows.AddRange(await MeasureServerAsync(Who.Connectors, commands.Ours, runs, calls));
        if (commands.Reference is not null)
        {
            rows.AddRange(await MeasureServerAsync(Who.Reference, commands.Reference, runs, calls));
        }

        var (uncapped, rssAfterEach) = await MeasureUncappedAsync([.. commands.Ours, "--max-rows", "1000000", "--max-output-bytes", "16777216"], runs);
        rows.AddRange(uncapped);

        // Whether memory stays flat shows in the order of the answers, which a median hides.
        ResultFile.WriteAndShow(resultsDirectory, Server, "Database workload (PostgreSQL, 200,000-row table, 300-table schema)", rows,
            $"RSS after each uncapped answer, in order: {string.Join(", ", rssAfterEach.Select(mb => mb.ToString("0", CultureInfo.InvariantCulture)))} MB");
        return 0;
    }

    /// <summary>
    /// Each run is a fresh process with the default limits. The reference has one tool, <c>query</c> (no parameters), and
    /// shows tables as resources: its list is resources/list, its describe is resources/read of a table's schema.
    /// </summary>
    private static Task<List<Measurement>> MeasureServerAsync(Who who, string[] command, int runs, int calls) =>
        SampleSet.OnFreshProcessesAsync(Server, who, command, runs, async (server, samples) =>
        {
            var pointMs = new List<double>();
            var pointBytes = 0;
            for (var i = 0; i < WarmUpCalls + calls; i++)
            {
                // Literal SQL for both: the reference takes no parameters.
                var (bytes, ms, isError) = await server.CallToolAsync("query", new { sql = $"SELECT * FROM {Table} WHERE id = {1 + (i * 7919 % TableRows)}" });
                if (isError)
                {
                    throw new InvalidOperationException($"{who} answered an error to a point query: {Shorten(server.LastResponse)}");
                }

                pointBytes = bytes;
                if (i >= WarmUpCalls)
                {
                    pointMs.Add(ms);
                }
            }

            samples.Add($"point query p50 ({calls} calls)", "ms", Measure.Percentile(pointMs, 50), pointBytes);
            samples.Add($"point query p95 ({calls} calls)", "ms", Measure.Percentile(pointMs, 95));

            // What any request costs this server over stdio with no tool and no database behind it.
            var pingMs = new List<double>();
            for (var i = 0; i < WarmUpCalls + calls; i++)
            {
                var (_, ms, _) = await server.RequestAsync("ping", new { });
                if (i >= WarmUpCalls)
                {
                    pingMs.Add(ms);
                }
            }

            samples.Add($"ping p50 ({calls} calls)", "ms", Measure.Percentile(pingMs, 50));

            if (who == Who.Connectors)
            {
                await samples.ToolAsync(server, "list tables (300-table schema)", "list_tables", new { schema = "public" });
                await samples.ToolAsync(server, "describe a table", "describe_table", new { table = DescribedTable, schema = "public" });
            }
            else
            {
                await samples.RequestAsync(server, "list tables (300-table schema)", "resources/list", new { });
                var uri = SchemaUri(server.LastResponse, DescribedTable);
                await samples.RequestAsync(server, "describe a table", "resources/read", new { uri });
            }

            // Once per run and without a warm-up: the reference returns all 200,000 rows, which takes it seconds.
            var replyBytes = await samples.ToolAsync(server, $"SELECT * FROM {Table} (default cap)", "query", new { sql = $"SELECT * FROM {Table}" }, warmUp: false);
            samples.Add($"SELECT * FROM {Table} (default cap), reply size", "bytes", replyBytes);
        });

    /// <summary>
    /// Ours with the cap raised to the whole table, on one process: a warm-up answer, then one per run, each timed over
    /// stdio and inside the server (the audit line's durationMs: query, reading and formatting, without the pipe and the
    /// client's parsing), with RSS after each answer (flat when memory does not grow with answers).
    /// </summary>
    private static async Task<(List<Measurement> Rows, List<double> RssAfterEach)> MeasureUncappedAsync(string[] command, int runs)
    {
        Console.Error.WriteLine($"[bench] connectors, uncapped: {string.Join(' ', command)}");
        var auditDurations = new System.Collections.Concurrent.ConcurrentQueue<double>();
        using var auditLines = new SemaphoreSlim(0);
        var (server, _) = await StdioServer.StartAsync(command, onStderrLine: line =>
        {
            if (line.Contains("\"audit\":\"tool_call\"", StringComparison.Ordinal))
            {
                using var audit = JsonDocument.Parse(line);
                auditDurations.Enqueue(audit.RootElement.GetProperty("durationMs").GetDouble());
                auditLines.Release();
            }
        });
        var samples = new SampleSet(Server, Who.Connectors);
        var rssAfterEach = new List<double>();
        await using (server)
        {
            var arguments = new { sql = $"SELECT * FROM {Table}", max_rows = 1_000_000 };
            for (var run = 0; run <= runs; run++)
            {
                var (bytes, ms, isError) = await server.CallToolAsync("query", arguments);
                if (isError)
                {
                    throw new InvalidOperationException($"the uncapped query answered an error: {Shorten(server.LastResponse)}");
                }

                if (!await auditLines.WaitAsync(TimeSpan.FromSeconds(30)) || !auditDurations.TryDequeue(out var inServerMs))
                {
                    throw new InvalidOperationException("no audit line for the uncapped query (is the audit log on stderr?)");
                }

                if (run == 0)
                {
                    continue; // warm-up
                }

                samples.Add($"SELECT * uncapped ({TableRows:#,0} rows), over stdio", "ms", ms, bytes);
                samples.Add($"SELECT * uncapped ({TableRows:#,0} rows), in server", "ms", inServerMs, bytes, CopyFloor);
                rssAfterEach.Add(server.RssMb());
                samples.Add("RSS after each uncapped answer", "MB", rssAfterEach[^1]);
            }

            samples.Add("peak RSS, uncapped answers", "MB", server.PeakRssMb());
        }

        return (samples.Rows(), rssAfterEach);
    }

    /// <summary>The reference's schema resource URI of a table, from its resources/list answer.</summary>
    private static string SchemaUri(string resourcesList, string table)
    {
        using var json = JsonDocument.Parse(resourcesList);
        foreach (var resource in json.RootElement.GetProperty("result").GetProperty("resources").EnumerateArray())
        {
            var uri = resource.GetProperty("uri").GetString() ?? "";
            if (SchemaSegment().Match(uri) is { Success: true } match && match.Groups[1].Value == table)
            {
                return uri;
            }
        }

        throw new InvalidOperationException($"the reference listed no schema resource for {table}");
    }

    /// <summary>Our server's connection string: the environment it inherits (it refuses secrets on its command line).</summary>
    private static string ConnectionString() =>
        Environment.GetEnvironmentVariable("CONNECTORS_DATABASE_CONNECTION_STRING")
        ?? throw new InvalidOperationException("CONNECTORS_DATABASE_CONNECTION_STRING is not set for our server");

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex("/([^/]+)/schema$")]
    private static partial Regex SchemaSegment();
}
