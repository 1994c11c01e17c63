using Connectors.Hosting.Configuration;

namespace Connectors.Database;

public static class DatabaseOptions
{
    /// <summary>The config-file section of named profiles: <c>{"databases": {"name": {"connectionString": …}}}</c>.</summary>
    public const string ProfilesSection = "databases";

    public static readonly ConnectorOption<string> ConnectionString = ConnectorOptions.Text(
        "--connection-string", "CONNECTORS_DATABASE_CONNECTION_STRING", "connectionString",
        "Npgsql connection string of the database, e.g. \"Host=db;Database=app;Username=reader\" (the profile 'default'). Prefer a read-only role; keep the password in the environment, a _FILE or a Passfile.",
        secret: true);

    public static readonly ConnectorOption<string> Provider = ConnectorOptions.Choice(
        "--provider", "CONNECTORS_DATABASE_PROVIDER", "provider", "Database engine of --connection-string.", "postgres", "postgres");

    public static readonly ConnectorOption<int> StatementTimeoutSeconds = ConnectorOptions.WholeNumber(
        "--statement-timeout", "CONNECTORS_DATABASE_STATEMENT_TIMEOUT", "statementTimeoutSeconds",
        "Longest a statement may run, in seconds (profiles may set their own).", 30, 1, 3600);

    public static readonly ConnectorOption<int> MaxRows = ConnectorOptions.WholeNumber(
        "--max-rows", "CONNECTORS_DATABASE_MAX_ROWS", "maxRows",
        "Largest max_rows a query may ask for (profiles may set their own); a query returns 500 rows unless it asks.", 10_000, 1, 1_000_000);

    public static readonly ConnectorOption<int> MaxConnections = ConnectorOptions.WholeNumber(
        "--max-connections", "CONNECTORS_DATABASE_MAX_CONNECTIONS", "maxConnections",
        "Connections per profile; calls beyond them wait briefly, then answer rate_limited.", 10, 1, 200);

    public static readonly ConnectorOption<bool> AllowExplainAnalyze = ConnectorOptions.Flag(
        "--allow-explain-analyze", "CONNECTORS_DATABASE_ALLOW_EXPLAIN_ANALYZE", "allowExplainAnalyze",
        "Let explain run EXPLAIN ANALYZE (it executes the query, still read-only and rolled back).");

    public static IEnumerable<ConnectorOption> All =>
        [ConnectionString, Provider, StatementTimeoutSeconds, MaxRows, MaxConnections, AllowExplainAnalyze];
}
