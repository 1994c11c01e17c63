using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Connectors.Database.SqlServer;

/// <summary>
/// Turns SQL Server's XML showplans (SET SHOWPLAN_XML / STATISTICS XML) into an indented tree a reader can follow: one
/// line per operator with its object, estimated rows and cost (and actual rows and executions when the query ran),
/// then its predicates.
/// </summary>
public static class ShowPlanSummary
{
    private static readonly XNamespace s_ns = "http://schemas.microsoft.com/sqlserver/2004/07/showplan";

    private static readonly XmlReaderSettings s_safe = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 64 * 1024 * 1024 };

    public static string Render(IEnumerable<string> plans)
    {
        var text = new StringBuilder();
        foreach (var plan in plans)
        {
            XDocument document;
            using (var reader = XmlReader.Create(new StringReader(plan), s_safe))
            {
                document = XDocument.Load(reader);
            }

            foreach (var statement in document.Descendants(s_ns + "StmtSimple"))
            {
                text.Append("Statement");
                if (Attribute(statement, "StatementSubTreeCost") is { } cost)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  (cost {Number(cost)}, rows {Number(Attribute(statement, "StatementEstRows"))})");
                }

                text.Append('\n');
                if (statement.Element(s_ns + "QueryPlan")?.Element(s_ns + "RelOp") is { } root)
                {
                    AppendOperator(text, root, 1);
                }

                foreach (var missing in statement.Descendants(s_ns + "MissingIndexGroup"))
                {
                    text.Append(CultureInfo.InvariantCulture, $"Missing index (impact {Number(Attribute(missing, "Impact"))}%): ");
                    text.AppendJoin("; ", missing.Descendants(s_ns + "MissingIndex").Select(index =>
                        $"{Unbracket(Attribute(index, "Schema"))}.{Unbracket(Attribute(index, "Table"))} (" +
                        string.Join(", ", index.Descendants(s_ns + "Column").Select(c => Unbracket(Attribute(c, "Name")))) + ")"));
                    text.Append('\n');
                }
            }
        }

        return text.Length == 0 ? "SQL Server returned no plan for this statement.\n" : text.ToString();
    }

    private static void AppendOperator(StringBuilder text, XElement relOp, int depth)
    {
        var indent = new string(' ', depth * 3);
        text.Append(indent).Append("-> ").Append(Attribute(relOp, "PhysicalOp"));
        var logical = Attribute(relOp, "LogicalOp");
        if (logical is not null && logical != Attribute(relOp, "PhysicalOp"))
        {
            text.Append(" (").Append(logical).Append(')');
        }

        // The operator's own element (IndexScan, Hash, NestedLoops…) holds its object, predicates and child operators.
        var body = relOp.Elements().FirstOrDefault(e => e.Name.LocalName is not ("OutputList" or "RunTimeInformation" or "Warnings" or "MemoryFractions" or "RunTimePartitionSummary"));
        if (body?.Element(s_ns + "Object") is { } target)
        {
            text.Append(" on ").Append(Unbracket(Attribute(target, "Schema"))).Append('.').Append(Unbracket(Attribute(target, "Table")));
            if (Attribute(target, "Index") is { } index)
            {
                text.Append(" using ").Append(Unbracket(index));
            }
        }

        text.Append(CultureInfo.InvariantCulture,
            $"  (cost {Number(Attribute(relOp, "EstimatedTotalSubtreeCost"))}, rows {Number(Attribute(relOp, "EstimateRows"))})");
        var counters = relOp.Element(s_ns + "RunTimeInformation")?.Elements(s_ns + "RunTimeCountersPerThread").ToList();
        if (counters is { Count: > 0 })
        {
            var rows = counters.Sum(c => Whole(Attribute(c, "ActualRows")));
            var executions = counters.Sum(c => Whole(Attribute(c, "ActualExecutions")));
            text.Append(CultureInfo.InvariantCulture, $" (actual rows {rows}, executions {executions})");
        }

        text.Append('\n');
        if (body is not null)
        {
            AppendPredicate(text, indent, "Seek", body.Element(s_ns + "SeekPredicates"));
            AppendPredicate(text, indent, "Predicate", body.Element(s_ns + "Predicate"));
            foreach (var child in ChildOperators(body))
            {
                AppendOperator(text, child, depth + 1);
            }
        }
    }

    /// <summary>The operators directly under this one: RelOp elements below its body that are not inside another RelOp.</summary>
    private static IEnumerable<XElement> ChildOperators(XElement body)
    {
        foreach (var element in body.Elements())
        {
            if (element.Name == s_ns + "RelOp")
            {
                yield return element;
            }
            else
            {
                foreach (var nested in ChildOperators(element))
                {
                    yield return nested;
                }
            }
        }
    }

    private static void AppendPredicate(StringBuilder text, string indent, string title, XElement? predicate)
    {
        var shown = predicate?.Descendants(s_ns + "ScalarOperator").Select(s => Attribute(s, "ScalarString")).FirstOrDefault(s => s is not null);
        if (shown is not null)
        {
            text.Append(indent).Append("     ").Append(title).Append(": ").Append(shown).Append('\n');
        }
    }

    private static string? Attribute(XElement element, string name) => element.Attribute(name)?.Value;

    private static string Unbracket(string? name) => name is null ? "?" : name.Trim('[', ']');

    private static long Whole(string? value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Number(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString("0.####", CultureInfo.InvariantCulture) : "?";
}
