namespace Connectors.Bench;

/// <summary>One row of a results CSV as the report reads it back (the columns of <see cref="ResultFile.Header"/>).</summary>
internal sealed record ResultRow(
    string Server,
    string Who,
    string Workload,
    string Unit,
    double Median,
    double Min,
    double Max,
    int Runs,
    long ReplyBytes,
    bool HigherIsBetter,
    string Baseline);

/// <summary>Ours against theirs (the reference server's same workload, or the floor our row names as its baseline).</summary>
internal sealed record Ratio(ResultRow Ours, ResultRow Theirs)
{
    public double Value => Ours.Median / Theirs.Median;

    public bool OursIsBetter => Ours.HigherIsBetter ? Value > 1 : Value < 1;
}

internal static class ResultReader
{
    /// <summary>Every row of every <c>*.csv</c> in the directory that has the results header, file by file in name order.</summary>
    public static List<ResultRow> ReadDirectory(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.csv").Order(StringComparer.Ordinal).SelectMany(path => Read(File.ReadAllText(path)))];

    /// <summary>The rows of one CSV in the results format; a CSV with another header (e.g. ratios.csv) has none.</summary>
    public static IEnumerable<ResultRow> Read(string csv)
    {
        var records = ParseCsv(csv);
        if (records.Count == 0 || string.Join(',', records[0]) != ResultFile.Header)
        {
            yield break;
        }

        foreach (var f in records.Skip(1).Where(r => r.Count == records[0].Count))
        {
            yield return new ResultRow(f[0], f[1], f[2], f[3], Number(f[4]), Number(f[5]), Number(f[6]),
                int.Parse(f[7], CultureInfo.InvariantCulture), long.Parse(f[8], CultureInfo.InvariantCulture), f[9] == "higher", f[10]);
        }
    }

    /// <summary>
    /// Pairs every connectors row with the reference row of the same server and workload, and with the floor row its
    /// baseline names (the same server's first, else any server's); rows with nothing to compare are left out.
    /// </summary>
    public static List<Ratio> Pair(IReadOnlyList<ResultRow> rows)
    {
        var ratios = new List<Ratio>();
        foreach (var ours in rows.Where(r => r.Who == "connectors"))
        {
            var reference = rows.FirstOrDefault(r => r.Who == "reference" && r.Server == ours.Server && r.Workload == ours.Workload);
            if (reference is not null && reference.Median > 0)
            {
                ratios.Add(new Ratio(ours, reference));
            }

            if (FloorOf(rows, ours) is { Median: > 0 } floor)
            {
                ratios.Add(new Ratio(ours, floor));
            }
        }

        return ratios;
    }

    public static ResultRow? FloorOf(IReadOnlyList<ResultRow> rows, ResultRow ours) =>
        ours.Baseline.Length == 0
            ? null
            : rows.FirstOrDefault(r => r.Who == "floor" && r.Server == ours.Server && r.Workload == ours.Baseline)
              ?? rows.FirstOrDefault(r => r.Who == "floor" && r.Workload == ours.Baseline);

    private static double Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }
}
