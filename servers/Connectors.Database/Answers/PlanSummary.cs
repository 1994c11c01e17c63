using System.Globalization;
using System.Text;
using System.Text.Json;
using Connectors.Database.Tools;

namespace Connectors.Database;

/// <summary>Turns PostgreSQL's JSON plan (EXPLAIN FORMAT JSON) into an indented tree a reader can follow.</summary>
public static class PlanSummary
{
    private static readonly string[] s_details =
        ["Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "Sort Key", "Group Key", "Presorted Key", "Cache Key", "One-Time Filter"];

    public static string Render(string planJson) => Explain(planJson).Text;

    /// <summary>The readable tree, and the same steps as plan nodes.</summary>
    public static PlanAnswer Explain(string planJson)
    {
        using var document = JsonDocument.Parse(planJson);
        var root = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0] : document.RootElement;
        var text = new StringBuilder();
        var top = AppendNode(text, root.GetProperty("Plan"), 0);
        foreach (var total in new[] { "Planning Time", "Execution Time" })
        {
            if (root.TryGetProperty(total, out var ms))
            {
                text.Append(CultureInfo.InvariantCulture, $"{total}: {ms.GetDouble():0.###} ms\n");
            }
        }

        return new PlanAnswer(text.ToString(), [top]);
    }

    private static PlanNode AppendNode(StringBuilder text, JsonElement node, int depth)
    {
        var indent = new string(' ', depth * 3);
        var title = Title(node);
        text.Append(indent).Append(depth == 0 ? "" : "-> ").Append(title);
        text.Append(CultureInfo.InvariantCulture, $"  (cost {Number(node, "Startup Cost")}..{Number(node, "Total Cost")}, rows {Number(node, "Plan Rows")}, width {Number(node, "Plan Width")})");
        if (node.TryGetProperty("Actual Rows", out var actualRows))
        {
            text.Append(CultureInfo.InvariantCulture,
                $" (actual {Number(node, "Actual Startup Time")}..{Number(node, "Actual Total Time")} ms, rows {actualRows.GetRawText()}, loops {Number(node, "Actual Loops")})");
        }

        text.Append('\n');
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var detail in s_details)
        {
            if (node.TryGetProperty(detail, out var value))
            {
                var shown = value.ValueKind == JsonValueKind.Array ? string.Join(", ", value.EnumerateArray().Select(v => v.ToString())) : value.ToString();
                details[detail] = shown;
                text.Append(indent).Append(depth == 0 ? "  " : "     ").Append(detail).Append(": ").Append(shown).Append('\n');
            }
        }

        var steps = new List<PlanNode>();
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                steps.Add(AppendNode(text, child, depth + 1));
            }
        }

        return new PlanNode(title, Value(node, "Total Cost"), Value(node, "Plan Rows"), Value(node, "Actual Rows"), Value(node, "Actual Total Time"),
            Value(node, "Actual Loops") is { } loops ? (long)loops : null, details, steps);
    }

    private static double? Value(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Title(JsonElement node)
    {
        var title = new StringBuilder(node.GetProperty("Node Type").GetString());
        if (node.TryGetProperty("Join Type", out var join) && title.ToString() is "Hash Join" or "Merge Join" or "Nested Loop")
        {
            title.Insert(0, join.GetString() + " ");
        }

        if (node.TryGetProperty("Index Name", out var index))
        {
            title.Append(" using ").Append(index.GetString());
        }

        if (node.TryGetProperty("Relation Name", out var relation))
        {
            title.Append(" on ");
            if (node.TryGetProperty("Schema", out var schema))
            {
                title.Append(schema.GetString()).Append('.');
            }

            title.Append(relation.GetString());
            if (node.TryGetProperty("Alias", out var alias) && alias.GetString() != relation.GetString())
            {
                title.Append(' ').Append(alias.GetString());
            }
        }
        else if (node.TryGetProperty("Function Name", out var function))
        {
            title.Append(" on ").Append(function.GetString());
        }
        else if (node.TryGetProperty("CTE Name", out var cte))
        {
            title.Append(" on ").Append(cte.GetString());
        }

        return title.ToString();
    }

    private static string Number(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("0.##", CultureInfo.InvariantCulture)
            : "?";
}
