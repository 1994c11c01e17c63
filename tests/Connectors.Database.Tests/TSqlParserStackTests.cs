using System.Collections;
using System.Runtime.CompilerServices;
using Connectors.Database.SqlServer;

namespace Connectors.Database.Tests;

/// <summary>
/// Where the T-SQL guard parses: on the calling thread when the text's stack bound fits what that thread has left, on a
/// large-stack thread otherwise. The boundary tests run the fast path on a deliberately small stack with texts whose bound
/// just fits: had the bound under-estimated ScriptDom's need by more than the reserve, the test process would die of a
/// stack overflow.
/// </summary>
public sealed class TSqlParserStackTests
{
    private const int SmallStackBytes = 1024 * 1024;

    private const string OrdinaryQuery = """
        SELECT a.owner, x.total, DENSE_RANK() OVER (ORDER BY x.total DESC) AS place
        FROM dbo.accounts a
        CROSS APPLY (SELECT SUM(o.total) AS total FROM dbo.orders o WHERE o.account_id = a.id AND o.created_at >= @p1) x
        WHERE a.kind IN ('checking', 'savings') AND a.owner IS NOT NULL
        ORDER BY place
        """;

    /// <summary>The constructs that cost ScriptDom the most stack per token or per parenthesis level, nested <c>n</c> deep.</summary>
    public static TheoryData<string> DeepPatterns() =>
    [
        "case", "simple-case", "tilde", "minus", "not", "method-chain", "scalar-subquery", "exists", "derived-table", "negated-parenthesis",
    ];

    private static string Nested(string pattern, int n) => pattern switch
    {
        "case" => "SELECT " + Repeat("CASE WHEN 1=1 THEN ", n) + "1" + Repeat(" END", n),
        "simple-case" => "SELECT " + Repeat("CASE ", n) + "1" + Repeat(" WHEN 1 THEN 1 END", n),
        "tilde" => "SELECT " + Repeat("~", n) + "1",
        "minus" => "SELECT " + Repeat("- ", n) + "1",
        "not" => "SELECT 1 WHERE " + Repeat("NOT ", n) + "1 = 1",
        "method-chain" => "SELECT a.b" + Repeat(".c()", n) + " FROM t",
        "scalar-subquery" => Repeat("SELECT (", n) + "SELECT 1" + Repeat(")", n),
        "exists" => Repeat("SELECT 1 WHERE EXISTS (", n) + "SELECT 1" + Repeat(")", n),
        "derived-table" => Repeat("SELECT * FROM (", n) + "SELECT 1 AS x" + Repeat(") d", n),
        "negated-parenthesis" => "SELECT " + Repeat("-(", n) + "1" + Repeat(")", n),
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    /// <summary>Runs the guard's own mechanism and reports which thread parsed.</summary>
    private static (GuardedStatement? Statement, ConnectorException? Refusal, bool OnCallingThread) InspectWatchingTheThread(string sql)
    {
        var caller = Environment.CurrentManagedThreadId;
        var parsedOn = 0;
        try
        {
            var statement = ParserStack.Run(sql, text =>
            {
                parsedOn = Environment.CurrentManagedThreadId;
                return TSqlGuard.ParseAndCheck(text);
            });
            return (statement, null, parsedOn == caller);
        }
        catch (ConnectorException refusal)
        {
            return (null, refusal, parsedOn == caller);
        }
    }

    private static T OnThreadWithStack<T>(int stackBytes, Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = work();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            },
            stackBytes);
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("The work failed on its thread.", failure);
    }

    [Fact]
    public async Task Ordinary_queries_are_parsed_on_the_calling_thread_with_the_same_result_as_on_the_large_stack()
    {
        // A thread-pool thread, as a tool call's.
        var (statement, refusal, onCallingThread) = await Task.Run(() => InspectWatchingTheThread(OrdinaryQuery));
        Assert.Null(refusal);
        Assert.True(onCallingThread, "an ordinary query should not need a thread of its own");

        var onLargeStack = ParserStack.RunOnLargeStack(OrdinaryQuery, TSqlGuard.ParseAndCheck);
        Assert.Equal(onLargeStack.Text, statement!.Text);
        Assert.Equal(1, statement.ParameterCount);
        Assert.Equal(onLargeStack.ParameterCount, statement.ParameterCount);

        var refused = await Task.Run(() => InspectWatchingTheThread("WITH old AS (SELECT id FROM dbo.orders) DELETE FROM old"));
        Assert.True(refused.OnCallingThread);
        Assert.Equal(ErrorCodes.PermissionDenied, refused.Refusal?.Code);
        Assert.Contains("DELETE", refused.Refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void What_is_left_of_the_calling_threads_stack_is_read_from_the_thread_itself()
    {
        // glibc may hand a new thread a cached stack up to four times the size asked for; what counts is that each
        // thread's own stack is read, so the two ranges below do not overlap.
        var remaining = OnThreadWithStack(SmallStackBytes, ParserStack.RemainingBytes);
        Assert.InRange(remaining, SmallStackBytes / 2, 4 * SmallStackBytes);
        var remainingOnLargeStack = OnThreadWithStack(8 * SmallStackBytes, ParserStack.RemainingBytes);
        Assert.InRange(remainingOnLargeStack, 7 * SmallStackBytes, 4 * 8 * SmallStackBytes);
    }

    [Theory]
    [MemberData(nameof(DeepPatterns))]
    public void Just_below_the_bound_a_deep_text_is_parsed_on_a_small_stack_and_just_above_it_on_the_large_one(string pattern)
    {
        var (below, above) = OnThreadWithStack(SmallStackBytes, () =>
        {
            // The deepest nesting whose bound fits what this thread has left, and the next one.
            var budget = ParserStack.RemainingBytes() - ParserStack.ReserveBytes;
            var depth = 1;
            while (ParserStack.BoundBytes(Nested(pattern, depth + 1)) <= budget - 4096)
            {
                depth++;
            }

            var above = depth + 1;
            while (ParserStack.BoundBytes(Nested(pattern, above)) <= budget + 4096)
            {
                above++;
            }

            return (InspectWatchingTheThread(Nested(pattern, depth)), InspectWatchingTheThread(Nested(pattern, above)));
        });

        Assert.True(below.OnCallingThread, $"{pattern}: just below the bound the text is parsed where it was called");
        Assert.Equal(StatementKind.Select, Assert.IsType<GuardedStatement>(below.Statement).Kind);
        Assert.False(above.OnCallingThread, $"{pattern}: just above the bound the text gets the large stack");
        Assert.Equal(StatementKind.Select, Assert.IsType<GuardedStatement>(above.Statement).Kind);
    }

    [Theory]
    [MemberData(nameof(DeepPatterns))]
    public void The_bound_grows_at_least_three_and_a_half_times_as_fast_as_the_stack_ScriptDom_uses(string pattern)
    {
        // From 200 to 400 levels, so the fixed part of the parse (and the JIT, warmed first) cancels out. Run under
        // DOTNET_TC_CallCounting=0 the frames stay unoptimized, the largest: the case the weights were measured for.
        const int Depth = 200;
        _ = TSqlGuard.ParseAndCheck(Nested(pattern, 3));
        var used = MeasuredStackBytes(Nested(pattern, 2 * Depth)) - MeasuredStackBytes(Nested(pattern, Depth));
        var bound = ParserStack.BoundBytes(Nested(pattern, 2 * Depth)) - ParserStack.BoundBytes(Nested(pattern, Depth));
        Assert.True(used > 0, $"{pattern}: no stack growth measured");
        Assert.True(bound >= 3.5 * used, $"{pattern}: over {Depth} more levels the bound grows {bound:N0} bytes, ScriptDom's stack {used:N0}");
    }

    private const int PaintedBytes = 8 * 1024 * 1024;

    /// <summary>The stack one parse and walk touched: a fresh thread paints its stack below it, parses, and looks for the lowest byte no longer painted.</summary>
    private static long MeasuredStackBytes(string sql)
    {
        return OnThreadWithStack(2 * PaintedBytes, () =>
        {
            Paint();
            _ = TSqlGuard.ParseAndCheck(sql);
            return Touched();
        });

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void Paint()
        {
            Span<byte> below = stackalloc byte[PaintedBytes];
            below.Fill(0xA5);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static long Touched()
        {
            byte here = 0;
            ref var lowest = ref Unsafe.Subtract(ref here, PaintedBytes);
            var untouched = 0;
            while (untouched < PaintedBytes && Unsafe.Add(ref lowest, untouched) == 0xA5)
            {
                untouched++;
            }

            return untouched > 0 ? PaintedBytes - untouched : throw new InvalidOperationException("The text used more stack than was painted.");
        }
    }

    [Fact]
    public void A_refusal_deep_inside_a_text_is_the_same_on_either_side_of_the_bound()
    {
        var (below, above) = OnThreadWithStack(SmallStackBytes, () =>
        {
            var budget = ParserStack.RemainingBytes() - ParserStack.ReserveBytes;
            string Text(int n) => "SELECT " + Repeat("CASE WHEN 1=1 THEN ", n) + "xp_msver()" + Repeat(" END", n);
            var depth = 1;
            while (ParserStack.BoundBytes(Text(depth + 1)) <= budget - 4096)
            {
                depth++;
            }

            return (InspectWatchingTheThread(Text(depth)), InspectWatchingTheThread(Text(depth + 4)));
        });

        Assert.True(below.OnCallingThread);
        Assert.False(above.OnCallingThread);
        foreach (var refusal in new[] { below.Refusal, above.Refusal })
        {
            Assert.Equal(ErrorCodes.PermissionDenied, refusal?.Code);
            Assert.Contains("xp_msver", refusal!.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("~")]
    [InlineData("- ")]
    [InlineData("NOT ")]
    public async Task Pathological_texts_as_long_as_allowed_take_the_large_stack_and_are_checked(string unary)
    {
        var prefix = unary == "NOT " ? "SELECT 1 WHERE " : "SELECT ";
        var suffix = unary == "NOT " ? "1 = 1" : "1";
        var sql = prefix + Repeat(unary, (SqlGuard.MaxSqlLength - prefix.Length - suffix.Length) / unary.Length) + suffix;
        var (statement, refusal, onCallingThread) = await Task.Run(() => InspectWatchingTheThread(sql));
        Assert.False(onCallingThread);
        Assert.Null(refusal);
        Assert.Equal(StatementKind.Select, statement!.Kind);
    }

    [Fact]
    public async Task Parentheses_nested_as_deep_as_allowed_are_checked_on_a_small_stack_too()
    {
        var subqueries = Nested("scalar-subquery", SqlGuard.MaxParenthesisDepth - 1);
        var onSmallStack = OnThreadWithStack(SmallStackBytes, () => InspectWatchingTheThread(subqueries));
        Assert.False(onSmallStack.OnCallingThread);
        Assert.Equal(StatementKind.Select, onSmallStack.Statement!.Kind);

        // A thread-pool thread's stack is glibc's default, the stack ulimit (8 MB here): either path is fine there.
        Assert.Equal(StatementKind.Select, (await Task.Run(() => TSqlGuard.Inspect(subqueries))).Kind);
        var tooDeep = "SELECT " + Repeat("(", SqlGuard.MaxParenthesisDepth + 1) + "1" + Repeat(")", SqlGuard.MaxParenthesisDepth + 1);
        Assert.Contains("nests parentheses", Assert.Throws<ConnectorException>(() => TSqlGuard.Inspect(tooDeep)).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> EveryCorpusText() =>
        [.. TSqlCorpus.ValidReads, .. TSqlCorpus.Attacks.Select(attack => attack.Sql),
            "SELECT 1AND1", "SELECT a@b#c$d, @p1@x, $1, 0x1F2G, 1e5e5, 1.e1, N'x''y', [a]]b]", "SELECT@p1", "SELECT ~~-~1--x\n",
            "SELECT/**/1/*/**/*/", "SELECT a.b..c", "SELECT 1 WHERE\u00A0NOT\u00A0NOT\u00A01=1", "SELECT 'it''s' -- it's\n, 2", "SELECT 1>=2, 1<>2, 1!<2"];

    [Theory]
    [MemberData(nameof(EveryCorpusText))]
    public void The_bound_counts_at_least_every_token_ScriptDom_reads(string sql)
    {
        Assert.True(ParserStack.CountTokens(sql).Tokens >= ScriptDomTokenCount(sql), $"fewer tokens counted than ScriptDom reads in: {sql}");
    }

    [Fact]
    public void Plain_tokens_are_counted_exactly_and_glued_ones_apart()
    {
        Assert.Equal(4, ScriptDomTokenCount("SELECT a, b"));
        Assert.Equal(4, ParserStack.CountTokens("SELECT a, b").Tokens);
        Assert.Equal(ScriptDomTokenCount("SELECT 1AND 1"), ParserStack.CountTokens("SELECT 1AND 1").Tokens);
        Assert.Equal((5, 2), ParserStack.CountTokens("((1)) "));
    }

    [Fact]
    public void The_bound_counts_at_least_every_token_ScriptDom_reads_in_random_texts()
    {
        // Fragments chosen to sit on the lexer's edges: glued numbers and words, identifier characters, quotes, comments,
        // operators, non-ASCII letters and spaces. A fixed seed, so a failure names a text that can be replayed.
        string[] fragments = ["SELECT", " ", "NOT", "AND", "1", "0x", "1e", ".", "a", "@", "#", "$", "_", "'", "\"", "[", "]", "(", ")",
            "-", "--", "/*", "*/", "~", "+", "*", "/", "<", ">", "=", "!", ",", ";", "\n", "\t", "é", "\u00A0", "\u2003", "N", ":", "::"];
        var random = new Random(20261121);
        for (var i = 0; i < 2_000; i++)
        {
            var sql = string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => fragments[random.Next(fragments.Length)]));
            Assert.True(ParserStack.CountTokens(sql).Tokens >= ScriptDomTokenCount(sql), $"fewer tokens counted than ScriptDom reads in: {sql}");
        }
    }

    /// <summary>ScriptDom's own tokens, spaces and the end of the text left out (reached by reflection: the tests do not reference ScriptDom).</summary>
    private static int ScriptDomTokenCount(string sql)
    {
        var parserType = Type.GetType("Microsoft.SqlServer.TransactSql.ScriptDom.TSql180Parser, Microsoft.SqlServer.TransactSql.ScriptDom", throwOnError: true)!;
        var parser = Activator.CreateInstance(parserType, [true])!;
        var getTokenStream = parserType.GetMethods().Single(method => method.Name == "GetTokenStream" && method.GetParameters().Length == 2);
        var tokens = (IEnumerable)getTokenStream.Invoke(parser, [new StringReader(sql), null])!;
        return tokens.Cast<object>()
            .Select(token => token.GetType().GetProperty("TokenType")!.GetValue(token)!.ToString())
            .Count(type => type is not ("WhiteSpace" or "EndOfFile"));
    }
}
