using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Connectors.Database.Postgres;

/// <summary>
/// The metadata reads behind list_schemas, list_tables and describe_table: fixed SQL over pg_catalog, run inside the
/// same engine fence as every query (each tool's statements in the fence's own batch: one round trip), rows mapped by
/// Dapper (its build-time row readers, <c>[DapperAot]</c>: no reflection, so Native AOT keeps them). Only objects the role
/// can use are listed.
/// </summary>
[DapperAot]
public sealed class PostgresCatalog(PostgresEngine engine) : ISchemaCatalog
{
    private const int MaxTables = ISchemaCatalog.MaxTables;

    private const string SystemSchemas = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

    private const string Kind = """
        CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                       WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END
        """;

    // Sizes from the catalog's page counts (table, TOAST and every index), kept up to date by VACUUM, ANALYZE and CREATE
    // INDEX like reltuples: pg_total_relation_size stats every file of every relation, which took ~30 ms for 300 tables.
    // A table never analyzed (reltuples < 0) has no page count yet, so it alone is measured on disk.
    private const string Bytes = """
        CASE WHEN c.reltuples < 0 AND c.relkind IN ('r','m') THEN pg_catalog.pg_total_relation_size(c.oid)
             ELSE (c.relpages::bigint + COALESCE(toast.relpages, 0)
                   + COALESCE((SELECT sum(i.relpages) FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                               WHERE x.indrelid IN (c.oid, c.reltoastrelid)), 0)::bigint)
                  * current_setting('block_size')::bigint END
        """;

    // A join, not obj_description(): that runs a query per row.
    private const string TableComment = """
        LEFT JOIN pg_catalog.pg_class toast ON toast.oid = c.reltoastrelid
        LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
        """;

    // describe_table's statements share one batch, so each finds the table itself ($1 schema, $2 table).
    private const string TargetOid = """
        (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r','p','v','m','f') AND c.relname = $2
           AND (($1::text IS NULL AND pg_catalog.pg_table_is_visible(c.oid)) OR n.nspname = $1)
         LIMIT 1)
        """;

    public Task<List<SchemaRow>> SchemasAsync(DatabaseProfile profile, CancellationToken cancellationToken) =>
        engine.ReadBatchAsync(profile, () => [Statement($"""
            SELECT n.nspname AS Name, pg_catalog.pg_get_userbyid(n.nspowner) AS Owner,
                   (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r','p','v','m','f'))::int AS Tables,
                   pg_catalog.obj_description(n.oid, 'pg_namespace') AS Comment
            FROM pg_catalog.pg_namespace n
            WHERE {SystemSchemas} AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
            ORDER BY 1
            """)], (reader, ct) => ReadRowsAsync(reader, reader.GetRowParser<SchemaRow>(), ct), null, cancellationToken);

    public Task<List<TableRow>> TablesAsync(DatabaseProfile profile, string? schema, CancellationToken cancellationToken) =>
        engine.ReadBatchAsync(profile, () => [Statement($"""
            SELECT n.nspname AS Schema, c.relname AS Name, {Kind} AS Kind,
                   GREATEST(c.reltuples, 0)::bigint AS EstimatedRows, {Bytes} AS Bytes, d.description AS Comment
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            {TableComment}
            WHERE c.relkind IN ('r','p','v','m','f') AND {SystemSchemas}
              AND ($1::text IS NULL OR n.nspname = $1)
              AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
            ORDER BY 1, 2
            LIMIT {MaxTables + 1}
            """, Text(schema))], (reader, ct) => ReadRowsAsync(reader, reader.GetRowParser<TableRow>(), ct), null, cancellationToken);

    /// <summary>Everything describe_table shows, or null when no such table is visible.</summary>
    public Task<TableDescription?> DescribeAsync(DatabaseProfile profile, string? schema, string table, CancellationToken cancellationToken) =>
        engine.ReadBatchAsync(profile, () =>
        [
            Statement($"""
                SELECT n.nspname AS Schema, c.relname AS Name, c.oid::bigint AS Oid, {Kind} AS Kind,
                       GREATEST(c.reltuples, 0)::bigint AS EstimatedRows, {Bytes} AS Bytes, d.description AS Comment
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                {TableComment}
                WHERE c.oid = {TargetOid}
                """, Text(schema), Text(table)),
            Statement($"""
                SELECT a.attname AS Name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS Type, NOT a.attnotnull AS Nullable,
                       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS DefaultValue, pg_catalog.col_description(a.attrelid, a.attnum) AS Comment
                FROM pg_catalog.pg_attribute a
                LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = {TargetOid} AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum
                """, Text(schema), Text(table)),
            Statement($"""
                SELECT conname AS Name, contype::text AS Kind, pg_catalog.pg_get_constraintdef(oid) AS Definition
                FROM pg_catalog.pg_constraint WHERE conrelid = {TargetOid} ORDER BY contype, conname
                """, Text(schema), Text(table)),
            Statement($"""
                SELECT c.relname AS Name, pg_catalog.pg_get_indexdef(i.indexrelid) AS Definition
                FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = {TargetOid} ORDER BY 1
                """, Text(schema), Text(table)),
        ], async (reader, ct) =>
        {
            var found = await ReadRowsAsync(reader, reader.GetRowParser<TableRow>(), ct);
            if (found.Count == 0)
            {
                return null;
            }

            await reader.NextResultAsync(ct);
            var columns = await ReadRowsAsync(reader, reader.GetRowParser<ColumnRow>(), ct);
            await reader.NextResultAsync(ct);
            var constraints = await ReadRowsAsync(reader, reader.GetRowParser<ConstraintRow>(), ct);
            await reader.NextResultAsync(ct);
            var indexes = await ReadRowsAsync(reader, reader.GetRowParser<IndexRow>(), ct);
            return new TableDescription(found[0], columns, constraints, indexes);
        }, null, cancellationToken);

    private static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    // Positional parameters only (SQL rewriting is off), so Dapper maps the rows and Npgsql binds the values.
    private static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] parameters)
    {
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddRange(parameters);
        return statement;
    }

    // Each caller names its row type: Dapper.AOT generates the parser of every GetRowParser<T> call with a concrete T.
    private static async Task<List<T>> ReadRowsAsync<T>(NpgsqlDataReader reader, Func<DbDataReader, T> parse, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }

        return rows;
    }
}
