using BenchmarkDotNet.Attributes;
using Connectors.Database;
using Connectors.Database.SqlServer;

namespace Connectors.Micro;

/// <summary>
/// The SQL Server guard: ScriptDom parses the T-SQL (on a new large-stack thread per call), then the tree is visited.
/// Exceptions are counted: the parser throws and catches some internally while it backtracks.
/// </summary>
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class TSqlGuardBenchmarks
{
    private const string PointQuery = "SELECT id, name, email FROM dbo.customers WHERE id = @p1";

    private const string JoinWithCteAndWindow = """
        WITH recent AS (
            SELECT customer_id, SUM(total) AS spent
            FROM dbo.orders
            WHERE created_at > DATEADD(day, -30, SYSUTCDATETIME())
            GROUP BY customer_id)
        SELECT TOP (100) c.id, c.name, r.spent, p.name AS product,
               RANK() OVER (PARTITION BY c.region ORDER BY r.spent DESC) AS place
        FROM dbo.customers c
        JOIN recent r ON r.customer_id = c.id
        JOIN dbo.order_lines l ON l.customer_id = c.id
        JOIN dbo.products p ON p.id = l.product_id
        WHERE c.active = 1
        ORDER BY place
        """;

    // T-SQL's writable form of a CTE: the DELETE goes through it to the table.
    private const string DeleteThroughCte = "WITH old AS (SELECT id FROM dbo.orders WHERE created_at < @p1) DELETE FROM old";

    [Benchmark]
    public GuardedStatement Point_query() => TSqlGuard.Inspect(PointQuery);

    [Benchmark]
    public GuardedStatement Join_with_cte_and_window() => TSqlGuard.Inspect(JoinWithCteAndWindow);

    [Benchmark]
    public string Delete_through_cte_refused() => Refusal.CodeOf(() => TSqlGuard.Inspect(DeleteThroughCte), reasonContains: "DELETE");
}
