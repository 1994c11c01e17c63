using System.Collections.Concurrent;
using Connectors.Database.Postgres;
using Npgsql;

namespace Connectors.Database;

/// <summary>
/// The catalog half of the parser layer: a function may run only when PostgreSQL marks every function of that name
/// immutable or stable (<c>pg_proc.provolatile</c>), or it is a harmless volatile function of pg_catalog. Operators run
/// functions too, and so do aggregates and attribute notation (<c>t.f</c> is <c>f(t)</c>); all are held to the same rule. Answers are
/// cached per profile for a minute, so a replaced function is re-read soon.
/// </summary>
public sealed class FunctionCatalog(PostgresEngine engine, TimeProvider time)
{
    private static readonly TimeSpan s_cacheLifetime = TimeSpan.FromMinutes(1);

    // An aggregate is marked immutable whatever it calls: it counts as volatile when any of its support functions is.
    private const string FunctionLookup = """
        SELECT p.proname, n.nspname,
               CASE WHEN p.prokind = 'a' AND EXISTS (
                      SELECT 1 FROM pg_catalog.pg_aggregate a
                      JOIN pg_catalog.pg_proc s ON s.oid IN (a.aggtransfn::oid, a.aggfinalfn::oid, a.aggcombinefn::oid, a.aggserialfn::oid,
                                                             a.aggdeserialfn::oid, a.aggmtransfn::oid, a.aggminvtransfn::oid, a.aggmfinalfn::oid)
                      WHERE a.aggfnoid = p.oid AND s.provolatile = 'v')
                    THEN 'v' ELSE p.provolatile::text END,
               COALESCE(p.pronargs = 1 AND t.typtype = 'c', false) AS takes_row
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        LEFT JOIN pg_catalog.pg_type t ON t.oid = p.proargtypes[0]
        WHERE p.proname = ANY($1)
        """;

    private const string OperatorLookup = """
        SELECT o.oprname, n.nspname, p.provolatile::text, false
        FROM pg_catalog.pg_operator o
        JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE o.oprname = ANY($1)
        """;

    private readonly ConcurrentDictionary<(string Profile, string Kind, string Name), CacheEntry> _cache = new();

    public async Task EnsureSafeAsync(DatabaseProfile profile, GuardedStatement statement, CancellationToken cancellationToken)
    {
        var functionNames = statement.Functions.Select(f => f.Name).Concat(statement.AttributeNames).Distinct(StringComparer.Ordinal).ToList();
        var functions = await LookupAsync(profile, "function", FunctionLookup, functionNames, cancellationToken);
        var operators = await LookupAsync(profile, "operator", OperatorLookup, [.. statement.Operators], cancellationToken);

        foreach (var function in statement.Functions)
        {
            var candidates = functions[function.Name].Where(c => function.Schema is null || c.Schema == function.Schema).ToList();
            if (candidates.Count == 0)
            {
                throw ConnectorException.InvalidArgument("sql", $"function {function}() does not exist.");
            }

            if (candidates.Any(IsUnsafe))
            {
                throw Refused($"the function {function}() may change data or session state (PostgreSQL marks it volatile)");
            }
        }

        foreach (var name in statement.AttributeNames)
        {
            if (functions[name].Any(c => c.TakesRow && IsUnsafe(c)))
            {
                throw Refused($"'.{name}' could call the volatile function {name}() on a row");
            }
        }

        foreach (var name in statement.Operators)
        {
            if (operators[name].Any(IsUnsafe))
            {
                throw Refused($"the operator {name} runs a volatile function");
            }
        }
    }

    private static bool IsUnsafe(CatalogEntry entry) =>
        entry.Volatility == "v" && !(entry.Schema == "pg_catalog" && FunctionPolicy.IsHarmlessVolatile(entry.Name));

    private static ConnectorException Refused(string what) => ConnectorException.PermissionDenied(
        $"Refused: {what}. Only immutable and stable functions (and a few harmless ones such as random()) may run.");

    private async Task<ILookup<string, CatalogEntry>> LookupAsync(
        DatabaseProfile profile, string kind, string sql, List<string> names, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var found = new List<CatalogEntry>();
        var missing = new List<string>();
        foreach (var name in names)
        {
            if (_cache.TryGetValue((profile.Name, kind, name), out var cached) && cached.Expires > now)
            {
                found.AddRange(cached.Entries);
            }
            else
            {
                missing.Add(name);
            }
        }

        if (missing.Count > 0)
        {
            var fresh = await engine.ReadBatchAsync(profile, () => [new NpgsqlBatchCommand(sql) { Parameters = { new NpgsqlParameter { Value = missing.ToArray() } } }], async (reader, ct) =>
            {
                var rows = new List<CatalogEntry>();
                while (await reader.ReadAsync(ct))
                {
                    rows.Add(new CatalogEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
                }

                return rows;
            }, null, cancellationToken);

            foreach (var name in missing)
            {
                var entries = fresh.Where(e => e.Name == name).ToArray();
                _cache[(profile.Name, kind, name)] = new CacheEntry(entries, now + s_cacheLifetime);
                found.AddRange(entries);
            }
        }

        return found.ToLookup(e => e.Name, StringComparer.Ordinal);
    }

    private sealed record CatalogEntry(string Name, string Schema, string Volatility, bool TakesRow);

    private sealed record CacheEntry(CatalogEntry[] Entries, DateTimeOffset Expires);
}
