using Dapper;
using Microsoft.Data.SqlClient;

namespace Connectors.Database.SqlServer;

/// <summary>
/// The metadata reads behind list_schemas, list_tables and describe_table on SQL Server: fixed SQL over the sys catalog
/// views, run inside the same engine fence as every query, rows mapped by Dapper. SQL Server's metadata visibility already
/// limits them to objects the login has some permission on.
/// </summary>
public sealed class SqlServerCatalog(SqlServerEngine engine) : ISchemaCatalog
{
    // Fixed database-role schemas have ids from 16384; sys, INFORMATION_SCHEMA and guest hold no user tables.
    private const string UserSchemas = "s.schema_id < 16384 AND s.name NOT IN ('sys', 'INFORMATION_SCHEMA', 'guest')";


    private static readonly string s_tableColumns = $"""
        s.name AS [Schema], o.name AS Name, CAST(o.object_id AS bigint) AS Oid,
        CASE o.type WHEN 'U' THEN 'table' ELSE 'view' END AS Kind,
        CAST(ISNULL((SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = o.object_id AND p.index_id IN (0, 1)), 0) AS bigint) AS EstimatedRows,
        CAST(ISNULL((SELECT SUM(a.total_pages) FROM sys.partitions p JOIN sys.allocation_units a ON a.container_id = p.partition_id
                     WHERE p.object_id = o.object_id), 0) AS bigint) * 8192 AS Bytes,
        {Comment(1, "o.object_id", "0")} AS Comment
        """;

    public Task<List<SchemaRow>> SchemasAsync(DatabaseProfile profile, CancellationToken cancellationToken) =>
        QueryAsync<SchemaRow>(profile, $"""
            SELECT s.name AS Name, USER_NAME(s.principal_id) AS Owner,
                   (SELECT COUNT(*) FROM sys.objects o WHERE o.schema_id = s.schema_id AND o.type IN ('U', 'V') AND o.is_ms_shipped = 0) AS Tables,
                   {Comment(3, "s.schema_id", "0")} AS Comment
            FROM sys.schemas s
            WHERE {UserSchemas}
            ORDER BY s.name
            """, null, cancellationToken);

    public Task<List<TableRow>> TablesAsync(DatabaseProfile profile, string? schema, CancellationToken cancellationToken) =>
        QueryAsync<TableRow>(profile, $"""
            SELECT TOP ({ISchemaCatalog.MaxTables + 1}) {s_tableColumns}
            FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id
            WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 AND {UserSchemas} AND (@schema IS NULL OR s.name = @schema)
            ORDER BY s.name, o.name
            """, new { schema }, cancellationToken);

    public Task<TableDescription?> DescribeAsync(DatabaseProfile profile, string? schema, string table, CancellationToken cancellationToken) =>
        engine.ReadAsync(profile, async (connection, transaction, ct) =>
        {
            var found = await RowsAsync<TableRow>(connection, transaction, profile, $"""
                SELECT TOP (1) {s_tableColumns}
                FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id
                WHERE o.type IN ('U', 'V') AND o.name = @table AND s.name = ISNULL(@schema, SCHEMA_NAME())
                """, new { schema, table }, ct);
            if (found.Count == 0)
            {
                return null;
            }

            var id = new { id = (int)found[0].Oid };
            var columns = await RowsAsync<ColumnRow>(connection, transaction, profile, $"""
                SELECT c.name AS Name,
                       TYPE_NAME(c.user_type_id) +
                       CASE WHEN TYPE_NAME(c.user_type_id) IN ('varchar', 'char', 'varbinary', 'binary')
                                 THEN '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length AS varchar(10)) END + ')'
                            WHEN TYPE_NAME(c.user_type_id) IN ('nvarchar', 'nchar')
                                 THEN '(' + CASE WHEN c.max_length = -1 THEN 'max' ELSE CAST(c.max_length / 2 AS varchar(10)) END + ')'
                            WHEN TYPE_NAME(c.user_type_id) IN ('decimal', 'numeric')
                                 THEN '(' + CAST(c.precision AS varchar(10)) + ', ' + CAST(c.scale AS varchar(10)) + ')'
                            WHEN TYPE_NAME(c.user_type_id) IN ('datetime2', 'time', 'datetimeoffset') THEN '(' + CAST(c.scale AS varchar(10)) + ')'
                            ELSE '' END +
                       CASE WHEN c.is_identity = 1 THEN ' IDENTITY' ELSE '' END +
                       CASE WHEN c.is_computed = 1 THEN ' AS ' + ISNULL((SELECT cc.definition FROM sys.computed_columns cc WHERE cc.object_id = c.object_id AND cc.column_id = c.column_id), '?') ELSE '' END AS Type,
                       c.is_nullable AS Nullable,
                       (SELECT dc.definition FROM sys.default_constraints dc WHERE dc.object_id = c.default_object_id) AS DefaultValue,
                       {Comment(1, "c.object_id", "c.column_id")} AS Comment
                FROM sys.columns c WHERE c.object_id = @id ORDER BY c.column_id
                """, id, ct);
            var constraints = await RowsAsync<ConstraintRow>(connection, transaction, profile, """
                SELECT kc.name AS Name, CASE kc.type WHEN 'PK' THEN 'p' ELSE 'u' END AS Kind,
                       CASE kc.type WHEN 'PK' THEN 'PRIMARY KEY (' ELSE 'UNIQUE (' END +
                       STUFF((SELECT ', ' + c.name FROM sys.index_columns ic
                              JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
                              WHERE ic.object_id = kc.parent_object_id AND ic.index_id = kc.unique_index_id AND ic.is_included_column = 0
                              ORDER BY ic.key_ordinal FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 2, '') + ')' AS Definition
                FROM sys.key_constraints kc WHERE kc.parent_object_id = @id
                UNION ALL
                SELECT fk.name, 'f',
                       'FOREIGN KEY (' +
                       STUFF((SELECT ', ' + c.name FROM sys.foreign_key_columns fc
                              JOIN sys.columns c ON c.object_id = fc.parent_object_id AND c.column_id = fc.parent_column_id
                              WHERE fc.constraint_object_id = fk.object_id ORDER BY fc.constraint_column_id FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 2, '') +
                       ') REFERENCES ' + SCHEMA_NAME(r.schema_id) + '.' + r.name + ' (' +
                       STUFF((SELECT ', ' + c.name FROM sys.foreign_key_columns fc
                              JOIN sys.columns c ON c.object_id = fc.referenced_object_id AND c.column_id = fc.referenced_column_id
                              WHERE fc.constraint_object_id = fk.object_id ORDER BY fc.constraint_column_id FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 2, '') + ')'
                FROM sys.foreign_keys fk JOIN sys.objects r ON r.object_id = fk.referenced_object_id WHERE fk.parent_object_id = @id
                UNION ALL
                SELECT cc.name, 'c', 'CHECK ' + cc.definition FROM sys.check_constraints cc WHERE cc.parent_object_id = @id
                ORDER BY 2, 1
                """, id, ct);
            var indexes = await RowsAsync<IndexRow>(connection, transaction, profile, """
                SELECT i.name AS Name,
                       'CREATE ' + CASE WHEN i.is_unique = 1 THEN 'UNIQUE ' ELSE '' END + i.type_desc COLLATE DATABASE_DEFAULT + ' INDEX ' + i.name + ' (' +
                       ISNULL(STUFF((SELECT ', ' + c.name + CASE WHEN ic.is_descending_key = 1 THEN ' DESC' ELSE '' END FROM sys.index_columns ic
                              JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
                              WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
                              ORDER BY ic.key_ordinal FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 2, ''), '') + ')' +
                       ISNULL(' INCLUDE (' + STUFF((SELECT ', ' + c.name FROM sys.index_columns ic
                              JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
                              WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 1
                              ORDER BY c.name FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 2, '') + ')', '') +
                       ISNULL(' WHERE ' + i.filter_definition, '') AS Definition
                FROM sys.indexes i WHERE i.object_id = @id AND i.type > 0 ORDER BY i.name
                """, id, ct);
            return new TableDescription(found[0], columns, constraints, indexes);
        }, cancellationToken);

    /// <summary>The MS_Description extended property of an object (class 1), column (class 1, minor id) or schema (class 3).</summary>
    private static string Comment(int propertyClass, string majorId, string minorId) =>
        $"CAST((SELECT TOP (1) ep.value FROM sys.extended_properties ep WHERE ep.class = {propertyClass} AND ep.major_id = {majorId} AND ep.minor_id = {minorId} AND ep.name = 'MS_Description') AS nvarchar(4000))";

    private Task<List<T>> QueryAsync<T>(DatabaseProfile profile, string sql, object? parameters, CancellationToken cancellationToken) =>
        engine.ReadAsync(profile, (connection, transaction, ct) => RowsAsync<T>(connection, transaction, profile, sql, parameters, ct), cancellationToken);

    private static async Task<List<T>> RowsAsync<T>(
        SqlConnection connection, SqlTransaction transaction, DatabaseProfile profile, string sql, object? parameters, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, profile.StatementTimeoutSeconds, cancellationToken: cancellationToken))];
}
