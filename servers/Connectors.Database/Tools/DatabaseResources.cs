using System.ComponentModel;
using Connectors.Database.Postgres;
using Connectors.Hosting.Errors;
using ModelContextProtocol.Server;

namespace Connectors.Database.Tools;

/// <summary>Table schemas as resources: <c>postgres://&lt;profile&gt;/&lt;schema&gt;/&lt;table&gt;</c>, names completed by <see cref="DatabaseCompletions"/>.</summary>
[McpServerResourceType]
public sealed class DatabaseResources(SqlGuard guard, PostgresCatalog catalog)
{
    public const string TableTemplate = "postgres://{profile}/{schema}/{table}";

    [McpServerResource(UriTemplate = TableTemplate, Name = "table_schema", Title = "Table schema", MimeType = "text/plain")]
    [Description("Columns, keys, constraints and indexes of one table or view of a database profile.")]
    public async Task<string> TableSchema(string profile, string schema, string table, CancellationToken cancellationToken)
    {
        var database = guard.Profile(profile);
        var description = await catalog.DescribeAsync(database, schema, table, cancellationToken)
            ?? throw ConnectorException.NotFound($"No table or view '{schema}.{table}' is visible in database '{database.Name}'.");
        return TableText.Format(description);
    }
}
