namespace Connectors.Database;

/// <summary>What a statement is at its root, after the guard accepted it.</summary>
public enum StatementKind
{
    Select,
    Explain,
    Show,
}

/// <summary>A function named in a query: its schema when the query qualified it, and its name.</summary>
/// <param name="Schema">The schema given in the query, or null when unqualified.</param>
/// <param name="Name">The function name as PostgreSQL sees it (unquoted names are already lower case).</param>
public readonly record struct FunctionName(string? Schema, string Name)
{
    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}

/// <summary>
/// One statement the parser layer accepted, with what the catalog layer must still check: every function it calls,
/// every operator it uses (operators run functions), and every name that could call a function in attribute notation
/// (<c>t.f</c> means <c>f(t)</c>).
/// </summary>
public sealed record GuardedStatement(
    StatementKind Kind,
    string Text,
    int ParameterCount,
    IReadOnlySet<FunctionName> Functions,
    IReadOnlySet<string> Operators,
    IReadOnlySet<string> AttributeNames)
{
    /// <summary>Whether the statement is an EXPLAIN that executes its query (ANALYZE).</summary>
    public bool Analyzes { get; init; }
}
