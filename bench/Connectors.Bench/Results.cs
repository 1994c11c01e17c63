namespace Connectors.Bench;

/// <summary>Who a measurement is of: our server, the Node reference server, or a physical floor (find, psql COPY…).</summary>
internal enum Who
{
    Connectors,
    Reference,
    Floor,
}

/// <summary>
/// One measured figure: the samples of every run (median, min and max are derived), its unit, the reply size when it is
/// a tool call, and whether a smaller value is better (time, memory, bytes, upstream calls) or a larger one (calls/s).
/// A connectors row and a reference row with the same server and workload are compared by the report; a connectors row
/// may name the floor workload it is compared with in <see cref="Baseline"/>.
/// </summary>
internal sealed record Measurement(
    string Server,
    Who Who,
    string Workload,
    string Unit,
    IReadOnlyList<double> Samples,
    long ReplyBytes = 0,
    bool HigherIsBetter = false,
    string? Baseline = null)
{
    public double Median => Measure.Percentile(Samples, 50);
}

/// <summary>
/// The results format every workload writes: <c>bench/results/&lt;name&gt;.csv</c> (one row per measurement, the
/// columns of <see cref="Header"/>) and a readable <c>&lt;name&gt;.md</c>. The report reads every CSV back.
/// </summary>
internal static class ResultFile
{
    public const string Header = "server,who,workload,unit,median,min,max,runs,reply_bytes,better,baseline";

    public static void Write(string resultsDirectory, string name, string title, IReadOnlyList<Measurement> rows)
    {
        Directory.CreateDirectory(resultsDirectory);
        var csv = new StringBuilder(Header).Append('\n');
        var table = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{title}, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {Environment.OSVersion}\n\n")
            .Append("| server | who | workload | unit | median | min | max | runs | reply bytes |\n")
            .Append("|---|---|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var row in rows)
        {
            var who = row.Who.ToString().ToLowerInvariant();
            csv.Append(CultureInfo.InvariantCulture,
                $"{Field(row.Server)},{who},{Field(row.Workload)},{Field(row.Unit)},{row.Median:0.###},{row.Samples.Min():0.###},{row.Samples.Max():0.###},{row.Samples.Count},{row.ReplyBytes},{(row.HigherIsBetter ? "higher" : "lower")},{Field(row.Baseline ?? "")}\n");
            table.Append(CultureInfo.InvariantCulture,
                $"| {row.Server} | {who} | {row.Workload} | {row.Unit} | {row.Median:#,0.###} | {row.Samples.Min():#,0.###} | {row.Samples.Max():#,0.###} | {row.Samples.Count} | {row.ReplyBytes:#,0} |\n");
        }

        File.WriteAllText(Path.Combine(resultsDirectory, name + ".csv"), csv.ToString());
        File.WriteAllText(Path.Combine(resultsDirectory, name + ".md"), table.ToString());
    }

    /// <summary>Writes the results, with a note under the markdown table if given, and shows the table on stdout.</summary>
    public static void WriteAndShow(string resultsDirectory, string name, string title, IReadOnlyList<Measurement> rows, string? note = null)
    {
        Write(resultsDirectory, name, title, rows);
        if (note is not null)
        {
            File.AppendAllText(Path.Combine(resultsDirectory, name + ".md"), "\n" + note + "\n");
        }

        Console.Write(File.ReadAllText(Path.Combine(resultsDirectory, name + ".md")));
    }

    /// <summary>Quotes a CSV field when it holds a comma, a quote or a line break (RFC 4180).</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
