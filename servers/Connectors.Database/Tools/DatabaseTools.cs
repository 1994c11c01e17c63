using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Connectors.Database.Tools;

/// <summary>Read-only database tools. Every handler asks <see cref="SqlGuard"/> for its profile (and its SQL) first.</summary>
[McpServerToolType]
public sealed class DatabaseTools(SqlGuard guard, ProfileRegistry profiles, DatabaseProviders providers, OutputBudget budget)
{
    private const string DatabaseDescription = "Database profile to use (see list_databases); the default profile when omitted.";

    [McpServerTool(Name = "list_databases", Title = "List databases", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(DatabaseList))]
    [Description("Lists the database profiles this server can query and what each points at (engine, host, database, user, limits), without secrets.")]
    public CallToolResult ListDatabases() => TypedResults.Create(
        string.Join('\n', profiles.All.Select(p => p.Describe())) + "\n",
        new DatabaseList([.. profiles.All.Select(DatabaseInfo.Of)]), DatabaseJsonContext.Default.DatabaseList);

    [McpServerTool(Name = "list_schemas", Title = "List schemas", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(SchemaList))]
    [Description("Lists the schemas you can use (system schemas left out), with owner, number of tables and views, and comment.")]
    public async Task<CallToolResult> ListSchemas(
        [Description(DatabaseDescription)] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var schemas = await providers.Catalog(profile).SchemasAsync(profile, cancellationToken);
        var text = new StringBuilder();
        foreach (var schema in schemas)
        {
            text.Append(CultureInfo.InvariantCulture, $"{schema.Name} (owner {schema.Owner}, {schema.Tables} tables/views)");
            text.Append(schema.Comment is null ? "" : $": {schema.Comment}").Append('\n');
        }

        if (schemas.Count == 0)
        {
            return TypedResults.Create("No schemas are visible to this role.", new SchemaList([], false), DatabaseJsonContext.Default.SchemaList);
        }

        var (fitted, shown) = Fit(text.ToString(), schemas.Count, "Name a schema in list_tables.");
        return TypedResults.Create(fitted, new SchemaList([.. schemas.Take(shown)], shown < schemas.Count), DatabaseJsonContext.Default.SchemaList);
    }

    [McpServerTool(Name = "list_tables", Title = "List tables", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(TableList))]
    [Description("Lists tables, views, materialized views and foreign tables with kind, estimated row count and size; optionally of one schema.")]
    public async Task<CallToolResult> ListTables(
        [Description("Only this schema (e.g. public); all usable schemas when omitted.")] string? schema = null,
        [Description(DatabaseDescription)] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var tables = await providers.Catalog(profile).TablesAsync(profile, schema, cancellationToken);
        if (tables.Count == 0)
        {
            return TypedResults.Create(
                schema is null ? "No tables are visible to this role." : $"No tables in schema '{schema}' (or the schema does not exist; see list_schemas).",
                new TableList([], 0, false), DatabaseJsonContext.Default.TableList);
        }

        var text = new StringBuilder();
        foreach (var table in tables.Take(ISchemaCatalog.MaxTables))
        {
            text.Append(CultureInfo.InvariantCulture, $"{table.Schema}.{table.Name} ({table.Kind}, ~{table.EstimatedRows:N0} rows, {Size(table.Bytes)})");
            text.Append(table.Comment is null ? "" : $": {table.Comment}").Append('\n');
        }

        if (tables.Count > ISchemaCatalog.MaxTables)
        {
            text.Append(CultureInfo.InvariantCulture, $"[Only the first {ISchemaCatalog.MaxTables:N0} are listed; name a schema to see the others.]\n");
        }

        var (fitted, shown) = Fit(text.ToString(), Math.Min(tables.Count, ISchemaCatalog.MaxTables), "Name a schema to list fewer tables.");
        return TypedResults.Create(fitted, new TableList([.. tables.Take(shown)], tables.Count, shown < tables.Count), DatabaseJsonContext.Default.TableList);
    }

    [McpServerTool(Name = "describe_table", Title = "Describe table", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(TableInfo))]
    [Description("Describes a table or view: columns (type, nullability, default, comment), primary key, foreign keys, unique and check constraints, indexes.")]
    public async Task<CallToolResult> DescribeTable(
        [Description("Table or view name, e.g. orders (not quoted).")] string table,
        [Description("Schema of the table; the search path decides when omitted.")] string? schema = null,
        [Description(DatabaseDescription)] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var description = await providers.Catalog(profile).DescribeAsync(profile, schema, table, cancellationToken)
            ?? throw ConnectorException.NotFound($"No table or view '{(schema is null ? "" : schema + ".")}{table}' is visible. Call list_tables to see the names.");
        var text = TableText.Format(description);
        var fitted = budget.Fit(text, _ => "Query information_schema.columns for the remaining columns.");
        var value = new TableInfo(description.Table, description.Columns, description.Constraints, description.Indexes, !ReferenceEquals(fitted, text));
        return TypedResults.Create(fitted, value, DatabaseJsonContext.Default.TableInfo);
    }

    [McpServerTool(Name = "query", Title = "Run a read-only query", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(QueryResult))]
    [Description("Runs one read-only SQL statement and returns column names and types once, then rows as arrays. PostgreSQL: SELECT, WITH, VALUES, UNION…, EXPLAIN or SHOW, " +
        "values as $1, $2… with params. SQL Server: one SELECT (WITH, UNION, FOR JSON/XML included), values as @p1, @p2… with params. At most max_rows rows (default 500) and the answer's byte budget; a cut answer says so and how to narrow the query. " +
        "Anything that could write, lock, or call an unsafe function is refused.")]
    public async Task<CallToolResult> Query(
        [Description("One SQL statement, e.g. SELECT id, total FROM orders WHERE created_at > $1 ORDER BY total DESC LIMIT 20.")] string sql,
        [Description("Values for $1, $2… (PostgreSQL) or @p1, @p2… (SQL Server) in order: strings, numbers, booleans, null, or (PostgreSQL) arrays of those.")] JsonElement[]? @params = null,
        [Description("Most rows to return (default 500; the profile sets the maximum).")] int? max_rows = null,
        [Description("Answer format: json (default: {columns, rows}), csv, or markdown.")] string format = ResultBuilder.Json,
        [Description(DatabaseDescription)] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var statement = await guard.CheckAsync(profile, sql, cancellationToken);
        var rows = RowLimit(profile, max_rows);
        var chosenFormat = ResultBuilder.Formats.FirstOrDefault(f => string.Equals(f, format?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw ConnectorException.InvalidArgument(nameof(format), $"use one of: {string.Join(", ", ResultBuilder.Formats)}.");
        var answer = await providers.Query(profile).RunAsync(profile, statement, @params ?? [], rows, chosenFormat, cancellationToken);
        // In json the text is already {columns, rows, …}: the structured value is read back from it, not built twice.
        var value = chosenFormat == ResultBuilder.Json
            ? JsonSerializer.Deserialize(answer.Text, DatabaseJsonContext.Default.QueryResult)!
            : new QueryResult(answer.Columns, null, answer.Rows, answer.Truncated, answer.Note);
        return TypedResults.Create(answer.Text, value, DatabaseJsonContext.Default.QueryResult);
    }

    [McpServerTool(Name = "explain", Title = "Explain a query", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(PlanResult))]
    [Description("Shows the database's plan for a read-only query as an indented tree (node, table, cost, rows, conditions): PostgreSQL's EXPLAIN, SQL Server's showplan. " +
        "analyze=true also runs it for real row counts (and timings), only when the database profile allows it.")]
    public async Task<CallToolResult> Explain(
        [Description("The SELECT to explain (without EXPLAIN).")] string sql,
        [Description("Values for the placeholders, as in query.")] JsonElement[]? @params = null,
        [Description("Run the query to measure real row counts (PostgreSQL EXPLAIN ANALYZE, SQL Server STATISTICS XML); only when the profile allows it.")] bool analyze = false,
        [Description(DatabaseDescription)] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var statement = await guard.CheckAsync(profile, sql, cancellationToken);
        if (statement.Kind != StatementKind.Select)
        {
            throw ConnectorException.InvalidArgument(nameof(sql), "give the SELECT itself; explain asks for the plan.");
        }

        if (analyze && !profile.AllowExplainAnalyze)
        {
            throw ConnectorException.PermissionDenied($"EXPLAIN ANALYZE runs the query and is not enabled for database '{profile.Name}' (allowExplainAnalyze).");
        }

        var plan = await providers.Query(profile).ExplainAsync(profile, statement, @params ?? [], analyze, cancellationToken);
        var fitted = budget.Fit(plan.Text, _ => "The plan is large; explain a smaller part of the query.");
        return TypedResults.Create(fitted, new PlanResult(profile.ProviderName, analyze, plan.Plan, !ReferenceEquals(fitted, plan.Text)), DatabaseJsonContext.Default.PlanResult);
    }

    /// <summary>A one-line-per-item list within the budget, and how many items its text kept.</summary>
    private (string Text, int Shown) Fit(string text, int items, string howToContinue)
    {
        var shown = items;
        var fitted = budget.Fit(text, cut =>
        {
            shown = Math.Min(shown, cut.KeptLines);
            return howToContinue;
        });
        return (fitted, shown);
    }

    private static int RowLimit(DatabaseProfile profile, int? requested)
    {
        if (requested is null)
        {
            return Math.Min(DatabaseProfile.DefaultRows, profile.MaxRows);
        }

        if (requested < 1 || requested > profile.MaxRows)
        {
            throw ConnectorException.InvalidArgument("max_rows", $"must be between 1 and {profile.MaxRows:N0} for database '{profile.Name}'.");
        }

        return requested.Value;
    }

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.#} GB",
    };
}
