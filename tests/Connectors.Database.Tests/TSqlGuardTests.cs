using Connectors.Database.SqlServer;

namespace Connectors.Database.Tests;

/// <summary>The T-SQL guard on its own (ScriptDom; no SQL Server needed): the corpora, then the details of what it refuses and keeps.</summary>
public sealed class TSqlGuardTests
{
    private static ConnectorException Refusal(string sql) => Assert.Throws<ConnectorException>(() => TSqlGuard.Inspect(sql));

    [Theory]
    [MemberData(nameof(TSqlCorpus.ValidReadData), MemberType = typeof(TSqlCorpus))]
    public void Every_valid_read_passes_the_TSql_guard(string sql)
    {
        var statement = TSqlGuard.Inspect(sql);
        Assert.Equal(StatementKind.Select, statement.Kind);
        Assert.DoesNotContain("GO", statement.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TSqlCorpus.AttackData), MemberType = typeof(TSqlCorpus))]
    public void Every_attack_is_refused_before_it_reaches_the_server(string attackClass, string sql)
    {
        var error = Refusal(sql);
        // Refused outright (permission_denied), or not even valid T-SQL (invalid_argument): never accepted.
        Assert.True(error.Code is ErrorCodes.PermissionDenied or ErrorCodes.InvalidArgument, $"{attackClass}: {error.Code} {error.Message}");
        Assert.DoesNotContain("internal", error.Code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT 1; DELETE FROM t", "2 statements")]
    [InlineData("SELECT 1 SELECT 2", "2 statements")]
    [InlineData("SELECT 1\nGO\nSELECT 2", "2 statements")]
    [InlineData("DELETE FROM t", "a DELETE statement is not a read")]
    [InlineData("SELECT * INTO t2 FROM t", "SELECT … INTO")]
    [InlineData("EXEC sp_executesql N'SELECT 1'", "EXECUTE statement is not a read")]
    [InlineData("SELECT * FROM OPENROWSET(BULK '/etc/passwd', SINGLE_CLOB) f", "OPENROWSET")]
    [InlineData("SELECT * FROM OPENQUERY(x, 'SELECT 1')", "OPENQUERY")]
    [InlineData("SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t", "OPENDATASOURCE")]
    [InlineData("SELECT * FROM OPENXML(@p1, '/r')", "OPENXML")]
    [InlineData("SELECT * FROM srv.db.dbo.t", "linked server")]
    [InlineData("SELECT NEXT VALUE FOR dbo.s", "NEXT VALUE FOR")]
    [InlineData("WAITFOR DELAY '00:00:05'", "WAIT FOR")]
    [InlineData("USE master", "USE statement")]
    [InlineData("DBCC CHECKDB", "DBCC")]
    [InlineData("SHUTDOWN", "SHUTDOWN")]
    [InlineData("RECONFIGURE", "RECONFIGURE")]
    [InlineData("WITH n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n) SELECT i FROM n OPTION (MAXRECURSION 0)", "MAXRECURSION")]
    [InlineData("SELECT 1 OPTION (MAXDOP 0)", "MAXDOP")]
    [InlineData("SELECT * FROM t WITH (UPDLOCK)", "UPDLOCK")]
    [InlineData("SELECT * FROM sys.fn_get_audit_file('/x', DEFAULT, DEFAULT)", "fn_get_audit_file")]
    [InlineData("SELECT xp_msver()", "xp_msver")]
    [InlineData("SELECT @secret", "@secret")]
    [InlineData("SELECT 1 DЕLETE FROM t", "U+0415")]
    [InlineData("SELECT 1\u00A0FROM t", "U+00A0")]
    public void Refusals_name_their_reason(string sql, string reason)
    {
        var error = Refusal(sql);
        Assert.Equal(ErrorCodes.PermissionDenied, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("one read-only statement per call on SQL Server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_homoglyph_keyword_that_ScriptDom_reads_as_an_alias_is_still_refused()
    {
        // "DЕLETE" (Cyrillic Е) is a valid column alias to the parser, so the text would run as a harmless SELECT; refusing
        // it anyway means no text can mean one thing to the guard and another to a server that normalizes Unicode.
        var error = Refusal("SELECT 1 DЕLETE FROM dbo.accounts");
        Assert.Contains("outside a string, comment or [bracketed] name", error.Message, StringComparison.Ordinal);
        Assert.Equal(StatementKind.Select, TSqlGuard.Inspect("SELECT 1 [DЕLETE] FROM dbo.accounts").Kind);
    }

    [Fact]
    public void A_parse_error_carries_ScriptDoms_message_line_and_column()
    {
        var error = Refusal("SELECT *\nFROM accounts\nWHERE )");
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Equal("Invalid argument 'sql': Incorrect syntax near ')'. (line 3, column 7)", error.Message);
    }

    [Fact]
    public void The_statement_sent_keeps_the_callers_line_numbers_without_GO_or_comments()
    {
        var lines = TSqlGuard.Inspect("-- the count\nGO\nSELECT COUNT(*)\nFROM dbo.accounts;\nGO\n").Text.Split('\n');
        Assert.True(string.IsNullOrWhiteSpace(lines[0]) && string.IsNullOrWhiteSpace(lines[1]), "the comment and GO are blanked, their lines kept");
        Assert.Equal("SELECT COUNT(*)", lines[2]);
        Assert.StartsWith("FROM dbo.accounts", lines[3], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void Parameters_are_counted_from_the_highest_at_p_placeholder()
    {
        Assert.Equal(0, TSqlGuard.Inspect("SELECT 1").ParameterCount);
        Assert.Equal(2, TSqlGuard.Inspect("SELECT * FROM t WHERE a = @p2 AND b = @P1 OR c = @p2").ParameterCount);
        Assert.Equal(3, TSqlGuard.Inspect("SELECT @p3").ParameterCount);
    }

    [Theory]
    [InlineData(24_000, "NOT ")]
    [InlineData(99_000, "~")]
    [InlineData(49_000, "- ")]
    public void Very_deep_expressions_are_checked_without_exhausting_the_stack(int depth, string unary)
    {
        // Without a large parser stack these crash the whole process; here they are merely parsed and walked.
        var sql = unary == "NOT " ? "SELECT 1 WHERE " + string.Concat(Enumerable.Repeat(unary, depth)) + "1 = 1" : "SELECT " + string.Concat(Enumerable.Repeat(unary, depth)) + "1";
        Assert.Equal(StatementKind.Select, TSqlGuard.Inspect(sql).Kind);
    }

    [Fact]
    public void Long_chains_and_deep_cases_are_checked_and_the_size_caps_still_apply()
    {
        Assert.Equal(StatementKind.Select, TSqlGuard.Inspect("SELECT 1" + string.Concat(Enumerable.Repeat("+1", 49_000))).Kind);
        Assert.Equal(StatementKind.Select, TSqlGuard.Inspect("SELECT " + string.Concat(Enumerable.Repeat("CASE WHEN 1=1 THEN ", 4_000)) + "1" + string.Concat(Enumerable.Repeat(" END", 4_000))).Kind);
        Assert.Contains("limit", Refusal("SELECT " + new string('1', SqlGuard.MaxSqlLength)).Message, StringComparison.Ordinal);
        Assert.Contains("nests", Refusal("SELECT " + new string('(', 200) + "1" + new string(')', 200)).Message, StringComparison.Ordinal);
        Assert.Contains("NUL", Refusal("SELECT 1\0; DROP TABLE t").Message, StringComparison.Ordinal);
        Assert.Contains("no statement", Refusal("-- nothing\nGO\n;").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT DATEADD(day, -7, SYSUTCDATETIME()), DATEDIFF(hour, created_at, GETUTCDATE()), DATEPART(week, created_at) FROM dbo.orders")]
    [InlineData("SELECT DATETRUNC(month, created_at), DATENAME(weekday, created_at) FROM dbo.orders")]
    [InlineData("SELECT value FROM GENERATE_SERIES(1, 10)")]
    [InlineData("SELECT CAST(embedding AS vector(3)) FROM dbo.items")]
    public void Reads_that_ScriptDoms_newer_grammars_parse_into_other_nodes_still_pass(string sql)
    {
        // Accepted by the 150 grammar too, as other nodes: the 180 grammar reads the date part as an IdentifierLiteral,
        // GENERATE_SERIES as a built-in table function and vector(n) as a type of its own.
        Assert.Equal(StatementKind.Select, TSqlGuard.Inspect(sql).Kind);
    }

    [Theory]
    [InlineData("SELECT AI_GENERATE_EMBEDDINGS(N'text' USE MODEL embedder)", "GENERATE EMBEDDINGS")]
    [InlineData("SELECT * FROM VECTOR_SEARCH(TABLE = dbo.items, COLUMN = v, SIMILAR_TO = @p1, METRIC = 'cosine', TOP_N = 5)", "VECTOR SEARCH")]
    [InlineData("SELECT * FROM PREDICT(MODEL = @p1, DATA = dbo.t AS d) WITH (score float) AS p", "PREDICT")]
    [InlineData("SELECT * FROM OPENROWSET(BULK 'https://x/y.parquet', FORMAT = 'PARQUET') AS r", "OPENROWSET")]
    [InlineData("SELECT * FROM GENERATE_SERIES(1, 10) g CROSS APPLY sys.fn_dblog(NULL, NULL) l", "fn_dblog")]
    public void Syntax_only_the_newest_grammar_parses_is_refused_unless_the_allowlist_has_it(string sql, string reason)
    {
        // Parse errors under the 150 grammar, refusals now: a model call or an outside file is never one of a read's parts.
        var error = Refusal(sql);
        Assert.Equal(ErrorCodes.PermissionDenied, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
