using Connectors.Database;
using Connectors.Database.SqlServer;

namespace Connectors.Micro;

/// <summary>
/// The SQL Server guard: ScriptDom parses the T-SQL (on the calling thread when the text's stack bound fits there, as all
/// three texts do; the "_on_large_stack_thread" rows force the new large-stack thread every call took before), then the
/// tree is visited. Exceptions are counted: the parser throws and catches some internally while it backtracks.
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

    /// <summary>The rows without "_on_large_stack_thread" measure the calling-thread path: make sure they take it.</summary>
    [GlobalSetup]
    public void TheTextsFitOnTheCallingThread()
    {
        if (!new[] { PointQuery, JoinWithCteAndWindow, DeleteThroughCte }.All(ParserStack.FitsOnThisThread))
        {
            throw new InvalidOperationException("A benchmark text would not be parsed on the calling thread.");
        }
    }

    [Benchmark]
    public GuardedStatement Point_query() => TSqlGuard.Inspect(PointQuery);

    [Benchmark]
    public GuardedStatement Join_with_cte_and_window() => TSqlGuard.Inspect(JoinWithCteAndWindow);

    [Benchmark]
    public GuardedStatement Point_query_on_large_stack_thread() => ParserStack.RunOnLargeStack(PointQuery, TSqlGuard.ParseAndCheck);

    [Benchmark]
    public GuardedStatement Join_with_cte_and_window_on_large_stack_thread() => ParserStack.RunOnLargeStack(JoinWithCteAndWindow, TSqlGuard.ParseAndCheck);

    [Benchmark]
    public string Delete_through_cte_refused() => Refusal.CodeOf(() => TSqlGuard.Inspect(DeleteThroughCte), reasonContains: "DELETE");

    /// <summary>What the large-stack thread alone costs: start and join one that does nothing.</summary>
    [Benchmark]
    public void Large_stack_thread_start_and_join()
    {
        var thread = new Thread(() => { }, ParserStack.LargeStackBytes);
        thread.Start();
        thread.Join();
    }

    /// <summary>One exception thrown and caught a frame up, as ScriptDom's parser does when a guess does not match.</summary>
    [Benchmark]
    public string One_exception_thrown_and_caught()
    {
        try
        {
            Throw();
            return "";
        }
        catch (InvalidOperationException mismatch)
        {
            return mismatch.Message;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Throw() => throw new InvalidOperationException("mismatched token");
}
