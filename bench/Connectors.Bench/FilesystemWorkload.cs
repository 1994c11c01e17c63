using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Connectors.Bench;

/// <summary>
/// The filesystem workload of issue 4 on a generated tree (50,000 files, ~200 MB, 1,000 leaf directories): glob search,
/// literal content search and a directory tree, on our server and (when given) the Node reference server in the same
/// run, next to the physical floors `find` and `grep -rl`. Prints a markdown table and writes a CSV.
/// </summary>
internal static class FilesystemWorkload
{
    private const string Needle = "ZEBRA_NEEDLE_42";
    private const string Marker = ".bench-tree-v1";
    private static readonly string[] Extensions = [".cs", ".txt", ".md", ".json", ".py"];

    public static async Task<int> RunAsync(string[] args)
    {
        var separators = args.Select((a, i) => (a, i)).Where(x => x.a == "--").Select(x => x.i).ToList();
        if (args.Length < 4 || separators.Count == 0 || separators[0] != 3)
        {
            return 2;
        }

        var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
        var tree = Path.GetFullPath(args[1]);
        var resultsDirectory = args[2];
        var ours = args[(separators[0] + 1)..(separators.Count > 1 ? separators[1] : args.Length)];
        var reference = separators.Count > 1 ? args[(separators[1] + 1)..] : null;

        Generate(tree);
        var rows = new List<Row>();

        rows.Add(Floor("find -name '*.cs'", runs, "find", tree, "-name", "*.cs"));
        rows.Add(Floor($"grep -rl {Needle}", runs, "grep", "-rl", Needle, tree));

        rows.AddRange(await MeasureServerAsync("connectors", [.. ours, "--root", tree], tree, runs, withContentSearch: true));
        if (reference is not null)
        {
            rows.AddRange(await MeasureServerAsync("reference", [.. reference, tree], tree, runs, withContentSearch: false));
        }

        Report(rows, resultsDirectory);
        return 0;
    }

    private static async Task<List<Row>> MeasureServerAsync(string who, string[] command, string tree, int runs, bool withContentSearch)
    {
        Console.Error.WriteLine($"[bench] {who}: {string.Join(' ', command)}");
        var (server, ready) = await StdioServer.StartAsync(command);
        await using (server)
        {
            var rows = new List<Row> { new(who, "ready (initialize answered)", [ready], 0) };
            async Task Measure(string workload, string tool, object arguments)
            {
                await server.CallToolAsync(tool, arguments); // warm-up: JIT and page cache
                var times = new List<double>();
                var bytes = 0;
                for (var run = 0; run < runs; run++)
                {
                    var (size, ms, isError) = await server.CallToolAsync(tool, arguments);
                    if (isError)
                    {
                        throw new InvalidOperationException($"{who} {tool} answered an error");
                    }

                    times.Add(ms);
                    bytes = size;
                }

                rows.Add(new Row(who, workload, times, bytes));
            }

            await Measure("search_files **/*.cs", "search_files", new { path = tree, pattern = "**/*.cs" });
            if (withContentSearch)
            {
                await Measure($"search_content {Needle}", "search_content", new { path = tree, pattern = Needle, max_results = 100 });
            }

            await Measure("directory_tree (default caps)", "directory_tree", new { path = tree });
            rows.Add(new Row(who, "peak RSS (MB)", [server.PeakRssMb()], 0));
            return rows;
        }
    }

    private static Row Floor(string name, int runs, string program, params string[] arguments)
    {
        var times = new List<double>();
        var bytes = 0;
        for (var run = 0; run <= runs; run++)
        {
            var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (run > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            bytes = Encoding.UTF8.GetByteCount(output);
        }

        return new Row("floor", name, times, bytes);
    }

    private static void Report(List<Row> rows, string resultsDirectory)
    {
        double Median(string who, string prefix) =>
            rows.FirstOrDefault(r => r.Who == who && r.Workload.StartsWith(prefix, StringComparison.Ordinal))?.Median ?? double.NaN;

        var table = new StringBuilder();
        table.AppendLine($"Filesystem workload, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
        table.AppendLine();
        table.AppendLine("| who | workload | median ms | min ms | max ms | reply bytes |");
        table.AppendLine("|---|---|---:|---:|---:|---:|");
        var csv = new StringBuilder("who,workload,median_ms,min_ms,max_ms,reply_bytes\n");
        foreach (var row in rows)
        {
            var isMemory = row.Workload.StartsWith("peak RSS", StringComparison.Ordinal);
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Who} | {row.Workload} | {row.Median:F1} | {(isMemory ? "" : row.Times.Min().ToString("F1", CultureInfo.InvariantCulture))} | {(isMemory ? "" : row.Times.Max().ToString("F1", CultureInfo.InvariantCulture))} | {row.Bytes:N0} |");
            csv.Append(CultureInfo.InvariantCulture, $"{row.Who},{row.Workload},{row.Median:F2},{row.Times.Min():F2},{row.Times.Max():F2},{row.Bytes}\n");
        }

        table.AppendLine();
        var searchRatio = Median("connectors", "search_files") / Median("reference", "search_files");
        var contentRatio = Median("connectors", "search_content") / Median("floor", "grep");
        var findRatio = Median("connectors", "search_files") / Median("floor", "find");
        table.AppendLine(CultureInfo.InvariantCulture, $"- search_files ours/reference: {searchRatio:F3} (target <= 0.1); ours/find: {findRatio:F1}");
        table.AppendLine(CultureInfo.InvariantCulture, $"- search_content ours/grep -rl: {contentRatio:F2} (target <= 3)");
        table.AppendLine(CultureInfo.InvariantCulture, $"- directory_tree ours: {Median("connectors", "directory_tree"):F1} ms (target < 500 ms), bounded reply; reference: {Median("reference", "directory_tree"):F1} ms");

        Console.Write(table);
        Directory.CreateDirectory(resultsDirectory);
        File.WriteAllText(Path.Combine(resultsDirectory, "filesystem.md"), table.ToString());
        File.WriteAllText(Path.Combine(resultsDirectory, "filesystem.csv"), csv.ToString());
    }

    /// <summary>40 x 25 leaf directories of 50 files (~4 KB of words each); the needle is planted in 10 files.</summary>
    private static void Generate(string tree)
    {
        if (File.Exists(Path.Combine(tree, Marker)))
        {
            return;
        }

        Console.Error.WriteLine($"[bench] generating {tree}");
        var random = new Random(42);
        string[] words = ["alpha", "beta", "gamma", "delta", "return", "class", "value", "index", "buffer", "stream", "public", "static", "async", "await"];
        var line = new StringBuilder();
        var number = 0;
        for (var top = 0; top < 40; top++)
        {
            for (var sub = 0; sub < 25; sub++)
            {
                var directory = Path.Combine(tree, $"pkg{top:D2}", $"mod{sub:D2}");
                Directory.CreateDirectory(directory);
                for (var file = 0; file < 50; file++, number++)
                {
                    var content = new StringBuilder(4200);
                    while (content.Length < 4000)
                    {
                        line.Clear();
                        for (var w = 0; w < 10; w++)
                        {
                            line.Append(words[random.Next(words.Length)]).Append(' ');
                        }

                        content.Append(line).Append('\n');
                    }

                    if (number % 5000 == 1234)
                    {
                        content.Append("planted: ").Append(Needle).Append('\n');
                    }

                    File.WriteAllText(Path.Combine(directory, $"file{file:D2}{Extensions[file % Extensions.Length]}"), content.ToString());
                }
            }
        }

        File.WriteAllText(Path.Combine(tree, Marker), "");
    }

    private sealed record Row(string Who, string Workload, List<double> Times, int Bytes)
    {
        public double Median => Measure.Percentile(Times, 50);
    }
}
