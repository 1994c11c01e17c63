using Connectors.Hosting.Configuration;

namespace Connectors.Database;

public static class DatabaseOptions
{
    /// <summary>The config-file section of named profiles: <c>{"databases": {"name": {"connectionString": …}}}</c>.</summary>
    public const string ProfilesSection = "databases";

    /// <summary>The provider value that asks for the engine to be inferred from the connection string.</summary>
    public const string InferProvider = "auto";

    public static readonly ConnectorOption<string> ConnectionString = ConnectorOption.Text(
        "--connection-string", "CONNECTORS_DATABASE_CONNECTION_STRING", "database.connectionString",
        "Connection string of the database (the profile 'default'): PostgreSQL \"Host=db;Database=app;Username=reader\" or SQL Server \"Server=db;Database=app;User ID=reader\". Prefer a read-only login; keep the password in the environment or a _FILE.",
        secret: true).Formerly(configKey: "connectionString");

    public static readonly ConnectorOption<string> Provider = ConnectorOption.Choice(
        "--provider", "CONNECTORS_DATABASE_PROVIDER", "database.provider",
        "Database engine of --connection-string; auto infers it from the connection string's keywords (Host= → postgres; Server=, Data Source=, Initial Catalog= → sqlserver).",
        InferProvider, InferProvider, "postgres", "sqlserver").Formerly(configKey: "provider");

    public static readonly ConnectorOption<int> StatementTimeoutSeconds = ConnectorOption.WholeNumber(
        "--statement-timeout", "CONNECTORS_DATABASE_STATEMENT_TIMEOUT", "database.statementTimeout",
        "Longest a statement may run, in seconds (profiles may set their own).", 30, 1, 3600).Formerly(configKey: "statementTimeoutSeconds");

    public static readonly ConnectorOption<int> MaxRows = ConnectorOption.WholeNumber(
        "--max-rows", "CONNECTORS_DATABASE_MAX_ROWS", "database.maxRows",
        "Largest max_rows a query may ask for (profiles may set their own); a query returns 500 rows unless it asks.", 10_000, 1, 1_000_000).Formerly(configKey: "maxRows");

    public static readonly ConnectorOption<int> MaxConnections = ConnectorOption.WholeNumber(
        "--max-connections", "CONNECTORS_DATABASE_MAX_CONNECTIONS", "database.maxConnections",
        "Connections per profile; calls beyond them wait briefly, then answer rate_limited.", 10, 1, 200).Formerly(configKey: "maxConnections");

    public static readonly ConnectorOption<bool> AllowExplainAnalyze = ConnectorOption.Flag(
        "--allow-explain-analyze", "CONNECTORS_DATABASE_ALLOW_EXPLAIN_ANALYZE", "database.allowExplainAnalyze",
        "Let explain run EXPLAIN ANALYZE (it executes the query, still read-only and rolled back).").Formerly(configKey: "allowExplainAnalyze");

    public static IEnumerable<ConnectorOption> All =>
        [ConnectionString, Provider, StatementTimeoutSeconds, MaxRows, MaxConnections, AllowExplainAnalyze];
}
