namespace Connectors.Bench;

/// <summary>
/// <c>Connectors.Bench report &lt;results-dir&gt;</c>: reads every results CSV there and writes summary.md (the machine,
/// then one table per server: ours, the reference and the floor side by side with the ratios), ratios.csv and
/// ratios.svg (a bar chart of the ratios on a log scale).
/// </summary>
internal static class Report
{
    public static int Run(string[] args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: Connectors.Bench report <results-dir>");
            return 2;
        }

        var directory = args[0];
        var rows = ResultReader.ReadDirectory(directory);
        if (rows.Count == 0)
        {
            Console.Error.WriteLine($"[bench] no results CSV in {directory}");
            return 1;
        }

        var ratios = ResultReader.Pair(rows);
        var (machine, caption) = Machine();
        File.WriteAllText(Path.Combine(directory, "summary.md"), Summary(rows, ratios, machine + Sources(directory)));
        File.WriteAllText(Path.Combine(directory, "ratios.csv"), RatiosCsv(ratios));
        File.WriteAllText(Path.Combine(directory, "ratios.svg"), RatioChart.Svg(ratios, caption));
        Console.Error.WriteLine($"[bench] {rows.Count} measurements, {ratios.Count} ratios: {directory}/summary.md, ratios.csv, ratios.svg");
        return 0;
    }

    /// <summary>Which result files the report read and when each was written (a workload that did not run keeps an older file).</summary>
    private static string Sources(string directory) =>
        "Results read: " + string.Join(", ", Directory.EnumerateFiles(directory, "*.csv").Order(StringComparer.Ordinal)
            .Where(path => ResultReader.Read(File.ReadAllText(path)).Any())
            .Select(path => string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)} ({File.GetLastWriteTimeUtc(path):yyyy-MM-dd HH:mm} UTC)"))) + ".\n";

    public static string Summary(IReadOnlyList<ResultRow> rows, IReadOnlyList<Ratio> ratios, string machine)
    {
        var md = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# Benchmark summary, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\n")
            .Append(machine).Append('\n')
            .Append("Medians of every run with (min–max); ratios are ours/theirs of the medians, measured in the same run. ")
            .Append("For times, memory and bytes below 1× is better; for calls/s above 1×. Reply sizes follow the time after a dot.\n");
        if (!rows.Any(r => r.Who == "reference"))
        {
            md.Append("\nNo reference server was measured in this run (no Node/npm, or BENCH_REFERENCE=0): ours and the floors only.\n");
        }

        foreach (var server in rows.Select(r => r.Server).Distinct())
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {server}\n\n")
                .Append("| workload | unit | connectors | reference | floor | ours/reference | ours/floor |\n")
                .Append("|---|---|---:|---:|---:|---:|---:|\n");
            var serverRows = rows.Where(r => r.Server == server).ToList();
            var shownFloors = new HashSet<ResultRow>();
            foreach (var ours in serverRows.Where(r => r.Who == "connectors"))
            {
                var reference = ratios.FirstOrDefault(p => p.Ours == ours && p.Theirs.Who == "reference");
                var floor = ratios.FirstOrDefault(p => p.Ours == ours && p.Theirs.Who == "floor");
                if (floor is not null)
                {
                    shownFloors.Add(floor.Theirs);
                }

                var floorCell = floor is null ? "" : $"{floor.Theirs.Workload}: {Cell(floor.Theirs)}";
                md.Append(CultureInfo.InvariantCulture,
                    $"| {ours.Workload} | {ours.Unit} | {Cell(ours)} | {Cell(reference?.Theirs)} | {floorCell} | {RatioCell(reference)} | {RatioCell(floor)} |\n");
            }

            // What only the reference or only a floor measured (a tool we do not mirror, a floor no row names).
            foreach (var other in serverRows.Where(r => r.Who == "reference" && !serverRows.Any(o => o.Who == "connectors" && o.Workload == r.Workload)))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {other.Workload} | {other.Unit} | — | {Cell(other)} | | | |\n");
            }

            foreach (var floor in serverRows.Where(r => r.Who == "floor" && !shownFloors.Contains(r)))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {floor.Workload} | {floor.Unit} | | | {Cell(floor)} | | |\n");
            }
        }

        return md.ToString();
    }

    public static string RatiosCsv(IReadOnlyList<Ratio> ratios)
    {
        var csv = new StringBuilder("server,workload,unit,against,against_workload,ours_median,theirs_median,ratio,better,ours_is_better\n");
        foreach (var ratio in ratios)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{ResultFile.Field(ratio.Ours.Server)},{ResultFile.Field(ratio.Ours.Workload)},{ResultFile.Field(ratio.Ours.Unit)},{ratio.Theirs.Who},{ResultFile.Field(ratio.Theirs.Workload)},{ratio.Ours.Median:0.###},{ratio.Theirs.Median:0.###},{ratio.Value:0.####},{(ratio.Ours.HigherIsBetter ? "higher" : "lower")},{(ratio.OursIsBetter ? "yes" : "no")}\n");
        }

        return csv.ToString();
    }

    /// <summary>Median with its spread, and the reply size when there is one: "147 (137–161) · 55 KB".</summary>
    private static string Cell(ResultRow? row)
    {
        if (row is null)
        {
            return "";
        }

        var cell = row.Runs > 1 ? $"{Number(row.Median)} ({Number(row.Min)}–{Number(row.Max)})" : Number(row.Median);
        return row.ReplyBytes > 0 ? $"{cell} · {Bytes(row.ReplyBytes)}" : cell;
    }

    private static string RatioCell(Ratio? ratio) => ratio is null ? "" : RatioText(ratio.Value);

    public static string RatioText(double ratio) =>
        (ratio >= 10 ? ratio.ToString("#,0", CultureInfo.InvariantCulture) : ratio >= 0.1 ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : ratio.ToString("0.####", CultureInfo.InvariantCulture)) + "×";

    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 100 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1_000_000 => $"{Size(bytes / 1_000_000.0)} MB",
        >= 1_000 => $"{Size(bytes / 1_000.0)} KB",
        _ => $"{bytes} B",
    };

    private static string Size(double value) => value.ToString(value >= 100 ? "#,0" : "0.#", CultureInfo.InvariantCulture);

    /// <summary>
    /// The machine the figures are from: cores, CPU, RAM, OS, load, .NET SDK and Node versions for the summary, and a
    /// shorter caption for the chart.
    /// </summary>
    private static (string Summary, string Caption) Machine()
    {
        static string? FirstValue(string path, string key) =>
            File.Exists(path)
                ? File.ReadLines(path).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOfAny([':', '=']) + 1)..].Trim().Trim('"')).FirstOrDefault()
                : null;

        var memoryKb = FirstValue("/proc/meminfo", "MemTotal")?.Split(' ')[0];
        var memory = long.TryParse(memoryKb, CultureInfo.InvariantCulture, out var kb) ? $"{kb / 1024.0 / 1024:0.#} GB RAM" : "RAM unknown";
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        var cpu = FirstValue("/proc/cpuinfo", "model name") ?? "CPU unknown";
        var os = $"{FirstValue("/etc/os-release", "PRETTY_NAME") ?? Environment.OSVersion.ToString()} ({System.Runtime.InteropServices.RuntimeInformation.OSArchitecture})";
        var versions = $".NET SDK {VersionOf("dotnet") ?? "unknown"}, Node {VersionOf("node") ?? "not installed"}";
        return ($"Machine: {Environment.ProcessorCount} cores, {cpu}, {memory}, {os}, load average at report time {load}; {versions}.\n",
            $"{Environment.ProcessorCount} cores, {cpu}, {memory}, {os}; {versions}");
    }

    private static string? VersionOf(string program)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && version.Length > 0 ? version : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
