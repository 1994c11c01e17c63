namespace Connectors.Database.Tools;

/// <summary>Guided prompts for working with a database; their arguments are completed by <see cref="DatabaseCompletions"/>.</summary>
[McpServerPromptType]
public sealed class DatabasePrompts(SqlGuard guard, DatabaseProviders providers)
{
    [McpServerPrompt(Name = "explore_database", Title = "Explore a database")]
    [Description("Guided discovery of a database: schemas, then tables, then a sample, then your question.")]
    public string ExploreDatabase(
        [Description("Database profile (see list_databases); the default when omitted.")] string? database = null,
        [Description("What you want to find out, if you already know.")] string? question = null)
    {
        var profile = guard.Profile(database);
        return $"""
            Explore the database profile '{profile.Name}' step by step, with this server's read-only tools:
            1. list_schemas (database="{profile.Name}") to see the schemas and what they hold.
            2. list_tables for the schema that looks relevant; note kinds, estimated rows and sizes.
            3. describe_table for the promising tables: columns, keys, foreign keys (how tables join) and indexes.
            4. query a small sample, e.g. {Sample(profile)}, to see real values.
            5. {(question is null ? "Ask me what I want to know, then answer" : $"Answer: {question} —")} with one query that filters and aggregates in SQL,
               uses {Placeholders(profile)} params for values, and limits its rows; check the plan with explain if the table is large.
            """;
    }

    [McpServerPrompt(Name = "write_safe_query", Title = "Write a safe query")]
    [Description("From a table and a goal, a parameterized, limited read-only query, grounded in the table's real columns.")]
    public async Task<string> WriteSafeQuery(
        [Description("Table (or view) the query is about.")] string table,
        [Description("What the query should answer.")] string goal,
        [Description("Schema of the table; the search path decides when omitted.")] string? schema = null,
        [Description("Database profile; the default when omitted.")] string? database = null,
        CancellationToken cancellationToken = default)
    {
        var profile = guard.Profile(database);
        var description = await providers.Catalog(profile).DescribeAsync(profile, schema, table, cancellationToken);
        var shape = description is null
            ? $"The table '{table}' is not visible yet: call list_tables and describe_table first."
            : "The table, as the database describes it:\n" + TableText.Format(description);
        return $"""
            Write one read-only {(profile.Provider == DatabaseProvider.SqlServer ? "SQL Server (T-SQL)" : "PostgreSQL")} query on database '{profile.Name}' that answers: {goal}

            {shape}

            Rules: a single SELECT (WITH is fine); name the columns you need instead of *; pass every value as a
            parameter ({Placeholders(profile)} with params) rather than in the SQL text; filter and aggregate in SQL; ORDER BY and
            {(profile.Provider == DatabaseProvider.SqlServer ? "TOP (n)" : "LIMIT")} (at most {Math.Min(DatabaseProfile.DefaultRows, profile.MaxRows)} rows); no functions with side effects.
            Then run it with the query tool (and explain it first if the table is large).
            """;
    }

    private static string Sample(DatabaseProfile profile) =>
        profile.Provider == DatabaseProvider.SqlServer ? "SELECT TOP (5) * FROM <schema>.<table>" : "SELECT * FROM <schema>.<table> LIMIT 5";

    private static string Placeholders(DatabaseProfile profile) => profile.Provider == DatabaseProvider.SqlServer ? "@p1, @p2…" : "$1, $2…";
}
