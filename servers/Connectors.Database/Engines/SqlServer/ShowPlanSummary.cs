using System.Globalization;
using Connectors.Database.Tools;
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

    public static string Render(IEnumerable<string> plans) => Explain(plans).Text;

    /// <summary>The readable tree, and each statement's root operator as plan nodes.</summary>
    public static PlanAnswer Explain(IEnumerable<string> plans)
    {
        var text = new StringBuilder();
        var tops = new List<PlanNode>();
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
                    tops.Add(AppendOperator(text, root, 1));
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

        return new PlanAnswer(text.Length == 0 ? "SQL Server returned no plan for this statement.\n" : text.ToString(), tops);
    }

    private static PlanNode AppendOperator(StringBuilder text, XElement relOp, int depth)
    {
        var indent = new string(' ', depth * 3);
        text.Append(indent).Append("-> ");
        var start = text.Length;
        text.Append(Attribute(relOp, "PhysicalOp"));
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

        var operation = text.ToString(start, text.Length - start);
        text.Append(CultureInfo.InvariantCulture,
            $"  (cost {Number(Attribute(relOp, "EstimatedTotalSubtreeCost"))}, rows {Number(Attribute(relOp, "EstimateRows"))})");
        var counters = relOp.Element(s_ns + "RunTimeInformation")?.Elements(s_ns + "RunTimeCountersPerThread").ToList();
        long? actualRows = null, loops = null;
        if (counters is { Count: > 0 })
        {
            actualRows = counters.Sum(c => Whole(Attribute(c, "ActualRows")));
            loops = counters.Sum(c => Whole(Attribute(c, "ActualExecutions")));
            text.Append(CultureInfo.InvariantCulture, $" (actual rows {actualRows}, executions {loops})");
        }

        text.Append('\n');
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        var children = new List<PlanNode>();
        if (body is not null)
        {
            AppendPredicate(text, indent, "Seek", body.Element(s_ns + "SeekPredicates"), details);
            AppendPredicate(text, indent, "Predicate", body.Element(s_ns + "Predicate"), details);
            foreach (var child in ChildOperators(body))
            {
                children.Add(AppendOperator(text, child, depth + 1));
            }
        }

        return new PlanNode(operation, Value(Attribute(relOp, "EstimatedTotalSubtreeCost")), Value(Attribute(relOp, "EstimateRows")), actualRows, null, loops, details, children);
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

    private static void AppendPredicate(StringBuilder text, string indent, string title, XElement? predicate, Dictionary<string, string> details)
    {
        var shown = predicate?.Descendants(s_ns + "ScalarOperator").Select(s => Attribute(s, "ScalarString")).FirstOrDefault(s => s is not null);
        if (shown is not null)
        {
            details[title] = shown;
            text.Append(indent).Append("     ").Append(title).Append(": ").Append(shown).Append('\n');
        }
    }

    private static double? Value(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string? Attribute(XElement element, string name) => element.Attribute(name)?.Value;

    private static string Unbracket(string? name) => name is null ? "?" : name.Trim('[', ']');

    private static long Whole(string? value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Number(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString("0.####", CultureInfo.InvariantCulture) : "?";
}
