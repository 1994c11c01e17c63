using Connectors.Database;
using Connectors.Database.Postgres;

namespace Connectors.Micro;

/// <summary>
/// The PostgreSQL guard's parser layer: libpg_query parses the SQL, then the tree is walked. The catalog check of the
/// collected functions needs a live database (a query to pg_proc, cached per profile) and is not measured here.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class SqlGuardBenchmarks
{
    private const string PointQuery = "SELECT id, name, email FROM customers WHERE id = $1";

    private const string JoinWithCteAndWindow = """
        WITH recent AS (
            SELECT customer_id, sum(total) AS spent
            FROM orders
            WHERE created_at > now() - interval '30 days'
            GROUP BY customer_id)
        SELECT c.id, c.name, r.spent, p.name AS product,
               rank() OVER (PARTITION BY c.region ORDER BY r.spent DESC) AS place
        FROM customers c
        JOIN recent r ON r.customer_id = c.id
        JOIN order_lines l ON l.customer_id = c.id
        JOIN products p ON p.id = l.product_id
        WHERE c.active
        ORDER BY place
        LIMIT 100
        """;

    private const string WritableCte = "WITH gone AS (DELETE FROM orders WHERE created_at < $1 RETURNING id) SELECT count(*) FROM gone";

    [GlobalSetup]
    public void LoadParser() => PgQueryNative.EnsureAvailable();

    [Benchmark]
    public GuardedStatement Point_query() => SqlGuard.Inspect(PointQuery, allowExplainAnalyze: false);

    [Benchmark]
    public GuardedStatement Join_with_cte_and_window() => SqlGuard.Inspect(JoinWithCteAndWindow, allowExplainAnalyze: false);

    [Benchmark]
    public string Writable_cte_refused() => Refusal.CodeOf(() => SqlGuard.Inspect(WritableCte, allowExplainAnalyze: false), reasonContains: "DELETE");
}
