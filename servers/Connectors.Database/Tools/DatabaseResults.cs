using System.Text.Json;

namespace Connectors.Database.Tools;

// The structured answers of the database tools (their output schemas come from these types; names in camelCase).
// A cut answer says so in both forms: truncated, and for query the note on how to narrow it.

/// <summary>A profile as list_databases shows it (no secrets); note says e.g. read-only intent.</summary>
public sealed record DatabaseInfo(
    string Name, string Engine, string Server, string Database, string User, string? Note, int StatementTimeoutSeconds, int MaxRows, bool AllowExplainAnalyze)
{
    internal static DatabaseInfo Of(DatabaseProfile profile) => new(
        profile.Name, profile.ProviderName, profile.Target.Server, profile.Target.Database, profile.Target.User,
        profile.Target.Note.TrimStart(',', ' ') is { Length: > 0 } note ? note : null, profile.StatementTimeoutSeconds, profile.MaxRows, profile.AllowExplainAnalyze);
}

public sealed record DatabaseList(IReadOnlyList<DatabaseInfo> Databases);

public sealed record SchemaList(IReadOnlyList<SchemaRow> Schemas, bool Truncated);

/// <summary>Tables, views, materialized views and foreign tables; total counts those not listed when truncated.</summary>
public sealed record TableList(IReadOnlyList<TableRow> Tables, int Total, bool Truncated);

/// <summary>describe_table's answer; a constraint's kind is p (primary key), f (foreign key), u (unique), c or x (check, exclusion).</summary>
public sealed record TableInfo(TableRow Table, IReadOnlyList<ColumnRow> Columns, IReadOnlyList<ConstraintRow> Constraints, IReadOnlyList<IndexRow> Indexes, bool Truncated);

/// <summary>
/// One step of a plan: the operation as the text names it (e.g. "Index Scan using orders_pkey on public.orders"), the
/// engine's cost and row estimates, the actual rows, time and loops when analyzed, its conditions, and its inputs.
/// </summary>
public sealed record PlanNode(
    string Operation, double? Cost, double? Rows, double? ActualRows, double? ActualTimeMs, long? Loops, IReadOnlyDictionary<string, string> Details,
    IReadOnlyList<PlanNode> Children);

/// <summary>explain's answer: the top steps of each statement's plan.</summary>
public sealed record PlanResult(string Engine, bool Analyzed, IReadOnlyList<PlanNode> Plan, bool Truncated);

/// <summary>
/// query's answer: the columns, and each row as an array of values in column order. Rows come in the json format (the
/// default); in csv or markdown the text holds them and rows is null.
/// </summary>
public sealed record QueryResult(IReadOnlyList<ResultColumn> Columns, IReadOnlyList<JsonElement[]>? Rows, int RowCount, bool Truncated, string? Note);
