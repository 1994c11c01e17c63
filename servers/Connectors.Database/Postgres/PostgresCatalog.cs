using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Connectors.Database.Postgres;

/// <summary>
/// The metadata reads behind list_schemas, list_tables and describe_table: fixed SQL over pg_catalog, run inside the
/// same engine fence as every query, rows mapped by Dapper. Only objects the role can use are listed.
/// </summary>
public sealed class PostgresCatalog(PostgresEngine engine) : ISchemaCatalog
{
    private const int MaxTables = ISchemaCatalog.MaxTables;

    private const string SystemSchemas = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

    public Task<List<SchemaRow>> SchemasAsync(DatabaseProfile profile, CancellationToken cancellationToken) =>
        engine.ReadAsync(profile, (connection, ct) => QueryAsync<SchemaRow>(connection, $"""
            SELECT n.nspname AS Name, pg_catalog.pg_get_userbyid(n.nspowner) AS Owner,
                   (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r','p','v','m','f'))::int AS Tables,
                   pg_catalog.obj_description(n.oid, 'pg_namespace') AS Comment
            FROM pg_catalog.pg_namespace n
            WHERE {SystemSchemas} AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
            ORDER BY 1
            """, [], ct), cancellationToken);

    public Task<List<TableRow>> TablesAsync(DatabaseProfile profile, string? schema, CancellationToken cancellationToken) =>
        engine.ReadAsync(profile, (connection, ct) => QueryAsync<TableRow>(connection, $"""
            SELECT n.nspname AS Schema, c.relname AS Name,
                   CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                  WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END AS Kind,
                   GREATEST(c.reltuples, 0)::bigint AS EstimatedRows,
                   pg_catalog.pg_total_relation_size(c.oid) AS Bytes,
                   pg_catalog.obj_description(c.oid, 'pg_class') AS Comment
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','p','v','m','f') AND {SystemSchemas}
              AND ($1::text IS NULL OR n.nspname = $1)
              AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
            ORDER BY 1, 2
            LIMIT {MaxTables + 1}
            """, [Text(schema)], ct), cancellationToken);

    /// <summary>Everything describe_table shows, or null when no such table is visible.</summary>
    public Task<TableDescription?> DescribeAsync(DatabaseProfile profile, string? schema, string table, CancellationToken cancellationToken) =>
        engine.ReadAsync(profile, async (connection, ct) =>
        {
            var found = await QueryAsync<TableRow>(connection, """
                SELECT n.nspname AS Schema, c.relname AS Name, c.oid::bigint AS Oid,
                       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                      WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END AS Kind,
                       GREATEST(c.reltuples, 0)::bigint AS EstimatedRows, pg_catalog.pg_total_relation_size(c.oid) AS Bytes,
                       pg_catalog.obj_description(c.oid, 'pg_class') AS Comment
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r','p','v','m','f') AND c.relname = $2
                  AND (($1::text IS NULL AND pg_catalog.pg_table_is_visible(c.oid)) OR n.nspname = $1)
                LIMIT 1
                """, [Text(schema), Text(table)], ct);
            if (found.Count == 0)
            {
                return null;
            }

            var oid = new NpgsqlParameter<long> { TypedValue = found[0].Oid, NpgsqlDbType = NpgsqlDbType.Bigint };
            var columns = await QueryAsync<ColumnRow>(connection, """
                SELECT a.attname AS Name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS Type, NOT a.attnotnull AS Nullable,
                       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS DefaultValue, pg_catalog.col_description(a.attrelid, a.attnum) AS Comment
                FROM pg_catalog.pg_attribute a
                LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, [oid], ct);
            var constraints = await QueryAsync<ConstraintRow>(connection, """
                SELECT conname AS Name, contype::text AS Kind, pg_catalog.pg_get_constraintdef(oid) AS Definition
                FROM pg_catalog.pg_constraint WHERE conrelid = $1::oid ORDER BY contype, conname
                """, [oid.Clone()], ct);
            var indexes = await QueryAsync<IndexRow>(connection, """
                SELECT c.relname AS Name, pg_catalog.pg_get_indexdef(i.indexrelid) AS Definition
                FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = $1::oid ORDER BY 1
                """, [oid.Clone()], ct);
            return new TableDescription(found[0], columns, constraints, indexes);
        }, cancellationToken);

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        // Positional parameters only (SQL rewriting is off), so Dapper maps the rows and Npgsql binds the values.
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var parse = reader.GetRowParser<T>();
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }

        return rows;
    }
}
