using Connectors.Hosting.Diagnostics;
using Npgsql;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.Database.Postgres;

/// <summary>
/// <c>doctor</c>: is the profile's role least-privilege? The guard and the read-only fence stop writes whatever the role,
/// but a role that cannot write is the wall that holds if both were ever bypassed — so a role that can is a warning.
/// </summary>
internal static class PostgresRoleCheck
{
    private const string Sql = """
        SELECT r.rolname,
               r.rolsuper,
               r.rolcreaterole OR r.rolcreatedb AS can_create,
               (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p', 'f')
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
                   AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
                        OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))) AS writable_tables,
               current_setting('default_transaction_read_only') = 'on' AS read_only_default
          FROM pg_roles r WHERE r.rolname = current_user
        """;

    public static async Task<HealthCheckResult> CheckAsync(PostgresEngine engine, DatabaseProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.ReadAsync(profile, async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(Sql, connection);
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                var role = reader.GetString(0);
                var problems = new List<string>();
                if (reader.GetBoolean(1))
                {
                    problems.Add("is a superuser");
                }

                if (reader.GetBoolean(2))
                {
                    problems.Add("may create databases or roles");
                }

                if (reader.GetInt64(3) is > 0 and var tables)
                {
                    problems.Add($"may write to {tables} table(s)");
                }

                var readOnlyDefault = reader.GetBoolean(4) ? "; default_transaction_read_only is on" : "";
                return problems.Count == 0
                    ? HealthCheckResult.Healthy($"role '{role}' cannot write{readOnlyDefault}")
                    : HealthCheckResult.Degraded($"role '{role}' {string.Join(", ", problems)}: queries stay fenced read-only, but use a least-privilege role (see the server README)");
            }, cancellationToken);
        }
        catch (ConnectorException ex)
        {
            return HealthCheckResult.Unhealthy($"cannot check the role: {ex.Message}");
        }
    }
}
