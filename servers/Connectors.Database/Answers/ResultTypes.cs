namespace Connectors.Database;

/// <summary>One cell as shown: <see cref="Text"/> null for SQL NULL; <see cref="Raw"/> when the text is already JSON (numbers, booleans, json, arrays).</summary>
public readonly record struct Cell(string? Text, bool Raw)
{
    public static readonly Cell Null = new(null, false);

    public static Cell Plain(string text) => new(text, false);

    public static Cell Json(string json) => new(json, true);
}

/// <summary>What a query answered: the text to return, and how many rows it holds.</summary>
/// <param name="Text">The result in the requested format, within the byte budget.</param>
/// <param name="Rows">Rows included.</param>
/// <param name="Truncated">Whether rows were left out (row cap or byte budget).</param>
/// <param name="Columns">The result's columns.</param>
/// <param name="Note">Why rows were left out and how to narrow the query, when they were.</param>
public sealed record QueryAnswer(string Text, int Rows, bool Truncated, IReadOnlyList<ResultColumn> Columns, string? Note);

/// <summary>A plan as explain shows it: the readable tree, and its steps for the structured answer.</summary>
public sealed record PlanAnswer(string Text, IReadOnlyList<Tools.PlanNode> Plan);

/// <summary>Why reading rows stopped.</summary>
public enum Stop
{
    End,
    RowCap,
    ByteBudget,
}

/// <summary>A result column: its name and the engine's type name.</summary>
public readonly record struct ResultColumn(string Name, string Type);
