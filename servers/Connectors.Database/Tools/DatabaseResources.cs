namespace Connectors.Database.Tools;

/// <summary>
/// Table schemas as resources: <c>postgres://&lt;profile&gt;/&lt;schema&gt;/&lt;table&gt;</c> and
/// <c>sqlserver://…</c> alike, names completed by <see cref="DatabaseCompletions"/>.
/// </summary>
[McpServerResourceType]
public sealed class DatabaseResources(SqlGuard guard, DatabaseProviders providers)
{
    public const string TableTemplate = "postgres://{profile}/{schema}/{table}";

    public const string SqlServerTableTemplate = "sqlserver://{profile}/{schema}/{table}";

    [McpServerResource(UriTemplate = TableTemplate, Name = "table_schema", Title = "Table schema", MimeType = "text/plain")]
    [Description("Columns, keys, constraints and indexes of one table or view of a PostgreSQL database profile.")]
    public Task<string> TableSchema(string profile, string schema, string table, CancellationToken cancellationToken) =>
        DescribeAsync(DatabaseProvider.Postgres, profile, schema, table, cancellationToken);

    [McpServerResource(UriTemplate = SqlServerTableTemplate, Name = "sqlserver_table_schema", Title = "SQL Server table schema", MimeType = "text/plain")]
    [Description("Columns, keys, constraints and indexes of one table or view of a SQL Server database profile.")]
    public Task<string> SqlServerTableSchema(string profile, string schema, string table, CancellationToken cancellationToken) =>
        DescribeAsync(DatabaseProvider.SqlServer, profile, schema, table, cancellationToken);

    private async Task<string> DescribeAsync(DatabaseProvider scheme, string profile, string schema, string table, CancellationToken cancellationToken)
    {
        var database = guard.Profile(profile);
        if (database.Provider != scheme)
        {
            throw ConnectorException.NotFound($"Database '{database.Name}' is a {database.ProviderName} profile; read {database.ProviderName}://{database.Name}/{schema}/{table} instead.");
        }

        var description = await providers.Catalog(database).DescribeAsync(database, schema, table, cancellationToken)
            ?? throw ConnectorException.NotFound($"No table or view '{schema}.{table}' is visible in database '{database.Name}'.");
        return TableText.Format(description);
    }
}
