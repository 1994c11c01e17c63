using System.Globalization;
using System.Text;
using Connectors.Database.Tools;

namespace Connectors.Database;

/// <summary>A table's description as text, shared by describe_table, the table resources and the write_safe_query prompt.</summary>
internal static class TableText
{
    public static string Format(TableDescription description)
    {
        var text = new StringBuilder();
        var t = description.Table;
        text.Append(CultureInfo.InvariantCulture, $"{t.Schema}.{t.Name} ({t.Kind}, ~{t.EstimatedRows:N0} rows, {DatabaseTools.Size(t.Bytes)})\n");
        if (t.Comment is not null)
        {
            text.Append("Comment: ").Append(t.Comment).Append('\n');
        }

        text.Append("Columns:\n");
        foreach (var column in description.Columns)
        {
            text.Append("  ").Append(column.Name).Append(' ').Append(column.Type).Append(column.Nullable ? "" : " NOT NULL");
            text.Append(column.DefaultValue is null ? "" : $" DEFAULT {column.DefaultValue}");
            text.Append(column.Comment is null ? "" : $" -- {column.Comment}").Append('\n');
        }

        AppendConstraints(text, "Primary key", description.Constraints.Where(c => c.Kind == "p"));
        AppendConstraints(text, "Foreign keys", description.Constraints.Where(c => c.Kind == "f"));
        AppendConstraints(text, "Unique", description.Constraints.Where(c => c.Kind == "u"));
        AppendConstraints(text, "Checks", description.Constraints.Where(c => c.Kind is "c" or "x"));
        if (description.Indexes.Count > 0)
        {
            text.Append("Indexes:\n");
            foreach (var index in description.Indexes)
            {
                text.Append("  ").Append(index.Definition).Append('\n');
            }
        }

        return text.ToString();
    }

    private static void AppendConstraints(StringBuilder text, string title, IEnumerable<ConstraintRow> constraints)
    {
        var list = constraints.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.Append(title).Append(":\n");
        foreach (var constraint in list)
        {
            text.Append("  ").Append(constraint.Name).Append(": ").Append(constraint.Definition).Append('\n');
        }
    }
}
