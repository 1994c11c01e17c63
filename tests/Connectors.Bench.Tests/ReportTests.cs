using System.Xml.Linq;
using Connectors.Bench;

namespace Connectors.Bench.Tests;

public sealed class ReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("connectors-bench-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Rows_written_in_the_results_format_read_back_with_their_figures_and_quoted_names()
    {
        ResultFile.Write(_directory, "sample", "Sample", [
            new Measurement("database", Who.Connectors, "SELECT * uncapped (200,000 rows), in server", "ms", [30, 10, 20], 1234, Baseline: "psql \"COPY\""),
            new Measurement("http", Who.Connectors, "calls/s, 8 clients", "calls/s", [900, 1000, 1100], HigherIsBetter: true),
        ]);
        File.WriteAllText(Path.Combine(_directory, "ratios.csv"), "server,workload\nother,format\n");

        var rows = ResultReader.ReadDirectory(_directory);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new ResultRow("database", "connectors", "SELECT * uncapped (200,000 rows), in server", "ms", 20, 10, 30, 3, 1234, false, "psql \"COPY\""), rows[0]);
        Assert.True(rows[1].HigherIsBetter);
        Assert.Equal(1000, rows[1].Median);
    }

    [Fact]
    public void Ours_is_paired_with_the_reference_of_the_same_workload_and_with_the_floor_its_baseline_names()
    {
        var rows = new List<ResultRow>
        {
            Row("filesystem", "floor", "hello world", 40),
            Row("filesystem", "connectors", "ready", 160, baseline: "hello world"),
            Row("filesystem", "reference", "ready", 320),
            Row("database", "connectors", "ready", 200, baseline: "hello world"),
            Row("database", "reference", "list tables", 5),
            Row("http", "connectors", "calls/s", 2000, higherIsBetter: true),
            Row("http", "reference", "calls/s", 1000, higherIsBetter: true),
        };

        var ratios = ResultReader.Pair(rows);

        Assert.Equal(
            ["filesystem ready vs reference 0.5", "filesystem ready vs floor 4", "database ready vs floor 5", "http calls/s vs reference 2"],
            ratios.Select(r => $"{r.Ours.Server} {r.Ours.Workload} vs {r.Theirs.Who} {r.Value}"));
        Assert.Equal([true, false, false, true], ratios.Select(r => r.OursIsBetter));
    }

    [Fact]
    public void The_summary_shows_each_server_with_ours_the_reference_the_floor_and_the_ratios()
    {
        var rows = new List<ResultRow>
        {
            Row("filesystem", "floor", "find", 50),
            Row("filesystem", "connectors", "search_files", 150, baseline: "find"),
            Row("filesystem", "reference", "search_files", 1500),
            Row("filesystem", "reference", "only theirs", 7),
        };

        var summary = Report.Summary(rows, ResultReader.Pair(rows), "Machine: test\n");

        Assert.Contains("## filesystem", summary, StringComparison.Ordinal);
        Assert.Contains("| search_files | ms | 150 (140–160) | 1,500 (1,490–1,510) | find: 50.0 (40.0–60.0) | 0.10× | 3.00× |", summary, StringComparison.Ordinal);
        Assert.Contains("| only theirs | ms | — |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chart_is_an_svg_with_one_bar_per_ratio_and_a_line_at_one()
    {
        var rows = new List<ResultRow>
        {
            Row("database", "connectors", "SELECT * & <capped>", 38, baseline: "COPY"),
            Row("database", "reference", "SELECT * & <capped>", 2600),
            Row("database", "floor", "COPY", 19),
        };

        var svg = XDocument.Parse(RatioChart.Svg(ResultReader.Pair(rows), "2 cores & a test"));

        XNamespace ns = "http://www.w3.org/2000/svg";
        var bars = svg.Descendants(ns + "rect").Where(r => (string?)r.Attribute("fill") is "#2e8b57" or "#d9822b" && r.Attribute("y")!.Value != "0").ToList();
        Assert.Equal(2 + 2, bars.Count); // two bars and the two legend swatches
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "1×");
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "SELECT * & <capped> vs reference");
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "2.00×");
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "2 cores & a test");
    }

    private static ResultRow Row(string server, string who, string workload, double median, string baseline = "", bool higherIsBetter = false) =>
        new(server, who, workload, "ms", median, median - 10, median + 10, 5, 0, higherIsBetter, baseline);
}
