using System.Security;

namespace Connectors.Bench;

/// <summary>
/// The ratios as a horizontal bar chart on a log scale, drawn as SVG by hand (no plotting package restores from our
/// mirror): one bar per ratio growing from the 1× line, green when ours is better, orange when theirs is, grouped by server.
/// </summary>
internal static class RatioChart
{
    private const int Width = 1000;
    private const int LabelRight = 440;
    private const int PlotLeft = 450;
    private const int PlotRight = Width - 80;
    private const int RowHeight = 22;
    private const int Top = 94;
    private const string Better = "#2e8b57";
    private const string Worse = "#d9822b";

    /// <param name="ratios">The ratios to draw.</param>
    /// <param name="caption">The machine they were measured on, shown under the title.</param>
    public static string Svg(IReadOnlyList<Ratio> ratios, string caption)
    {
        var servers = ratios.Select(r => r.Ours.Server).Distinct().ToList();
        var lines = new List<(string? Server, Ratio? Ratio)>();
        foreach (var server in servers)
        {
            lines.Add((server, null));
            lines.AddRange(ratios.Where(r => r.Ours.Server == server).OrderBy(r => r.Theirs.Who == "reference" ? 0 : 1).Select(r => ((string?)null, (Ratio?)r)));
        }

        var (low, high) = Domain(ratios.Select(r => r.Value));
        double X(double value) => PlotLeft + ((Math.Log10(value) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) * (PlotRight - PlotLeft));

        var height = Top + (lines.Count * RowHeight) + 56;
        var svg = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\">\n")
            .Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n")
            .Append("<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\">Connectors: ours / theirs, medians from the same run (log scale)</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"46\" fill=\"#555\">Against the Node reference server and the physical floors. Times, memory, bytes: left of 1× is better. {DateTime.UtcNow:yyyy-MM-dd}.</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"64\" fill=\"#555\">{Escape(caption)}</text>\n");

        var bottom = Top + (lines.Count * RowHeight);
        for (var decade = Math.Log10(low); decade <= Math.Log10(high) + 1e-9; decade++)
        {
            var value = Math.Pow(10, Math.Round(decade));
            var x = X(value);
            var isOne = Math.Abs(value - 1) < 1e-9;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{Top - 8}\" x2=\"{x:0.#}\" y2=\"{bottom}\" stroke=\"{(isOne ? "#222" : "#ccc")}\" stroke-width=\"{(isOne ? 2 : 1)}\"/>\n")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Top - 14}\" text-anchor=\"middle\" fill=\"#333\"{(isOne ? " font-weight=\"bold\"" : "")}>{Tick(value)}×</text>\n");
            for (var minor = 2; minor <= 9 && value * minor < high; minor++)
            {
                var mx = X(value * minor);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{mx:0.#}\" y1=\"{Top - 4}\" x2=\"{mx:0.#}\" y2=\"{bottom}\" stroke=\"#eee\"/>\n");
            }
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var y = Top + (i * RowHeight);
            var (server, ratio) = lines[i];
            if (ratio is null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{y + 16}\" font-weight=\"bold\" font-size=\"13\">{Escape(server!)}</text>\n");
                continue;
            }

            var against = ratio.Theirs.Who == "reference" ? "reference" : ratio.Theirs.Workload;
            var label = Shorten($"{ratio.Ours.Workload} vs {against}", 62);
            var start = X(1);
            var end = X(ratio.Value);
            var colour = ratio.OursIsBetter ? Better : Worse;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelRight}\" y=\"{y + 15}\" text-anchor=\"end\">{Escape(label)}</text>\n")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{Math.Min(start, end):0.#}\" y=\"{y + 4}\" width=\"{Math.Max(1, Math.Abs(end - start)):0.#}\" height=\"{RowHeight - 8}\" fill=\"{colour}\"/>\n")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{(ratio.Value >= 1 ? end + 4 : end - 4):0.#}\" y=\"{y + 15}\" text-anchor=\"{(ratio.Value >= 1 ? "start" : "end")}\" fill=\"#222\">{Escape(Report.RatioText(ratio.Value))}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"16\" y=\"{bottom + 20}\" width=\"12\" height=\"12\" fill=\"{Better}\"/><text x=\"34\" y=\"{bottom + 31}\">ours better</text>\n")
            .Append(CultureInfo.InvariantCulture, $"<rect x=\"130\" y=\"{bottom + 20}\" width=\"12\" height=\"12\" fill=\"{Worse}\"/><text x=\"148\" y=\"{bottom + 31}\">theirs better</text>\n")
            .Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Whole decades around every ratio and 1×, with at least a third of a decade to spare for the labels.</summary>
    private static (double Low, double High) Domain(IEnumerable<double> values)
    {
        var logs = values.Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).Append(0).ToList();
        var low = Math.Floor(logs.Min());
        var high = Math.Ceiling(logs.Max());
        if (logs.Min() - low < 0.35)
        {
            low--;
        }

        if (high - logs.Max() < 0.35)
        {
            high++;
        }

        return (Math.Pow(10, low), Math.Pow(10, high));
    }

    private static string Tick(double value) => value.ToString(value >= 1 ? "#,0" : "0.#####", CultureInfo.InvariantCulture);

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string Escape(string text) => SecurityElement.Escape(text);
}
