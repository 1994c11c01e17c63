namespace Connectors.Database.Tests;

/// <summary>The parser layer on its own: no database, only PostgreSQL's grammar and the tree walk.</summary>
public sealed class SqlGuardTests
{
    private static ConnectorException Refusal(string sql, bool allowAnalyze = false) =>
        Assert.Throws<ConnectorException>(() => SqlGuard.Inspect(sql, allowAnalyze));

    [Theory]
    [MemberData(nameof(Corpus.ValidReadData), MemberType = typeof(Corpus))]
    public void Every_valid_read_passes_the_parser_layer(string sql)
    {
        var statement = SqlGuard.Inspect(sql, allowExplainAnalyze: false);
        Assert.False(statement.Text.EndsWith(';'), "the statement text excludes the trailing semicolon");
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2", "2 statements")]
    [InlineData("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "DELETE")]
    [InlineData("SELECT * INTO t2 FROM t", "INTO")]
    [InlineData("SELECT * FROM t FOR UPDATE", "FOR UPDATE")]
    [InlineData("DO $$ BEGIN END $$", "DO")]
    [InlineData("SELECT pg_catalog.pg_read_file('x')", "pg_read_file")]
    [InlineData("SELECT * FROM pg_ls_dir('/')", "pg_ls_dir")]
    [InlineData("SELECT nextval('s')", "nextval")]
    [InlineData("SELECT query_to_xml('select 1', true, false, '')", "query_to_xml")]
    [InlineData("EXPLAIN ANALYZE SELECT 1", "ANALYZE")]
    [InlineData("EXPLAIN (ANALYZE false) SELECT 1", "ANALYZE")]
    public void Unsafe_statements_are_refused_with_a_reason(string sql, string reason)
    {
        var error = Refusal(sql);
        Assert.Equal(ErrorCodes.PermissionDenied, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_parse_error_carries_PostgreSQLs_message_and_position()
    {
        var error = Refusal("SELECT * FROM accounts WHERE");
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("syntax error at end of input", error.Message, StringComparison.Ordinal);
        Assert.Contains("at character 29", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_error_position_counts_characters_not_bytes()
    {
        var error = Refusal("SELECT 'ééé' AS FROM x");
        Assert.Equal("Invalid argument 'sql': syntax error at or near \"x\" (at character 22)", error.Message);
    }

    [Fact]
    public void Explain_analyze_of_a_select_passes_when_the_profile_allows_it()
    {
        var statement = SqlGuard.Inspect("EXPLAIN ANALYZE SELECT 1", allowExplainAnalyze: true);
        Assert.Equal(StatementKind.Explain, statement.Kind);
        Assert.True(statement.Analyzes);
        Refusal("EXPLAIN ANALYZE DELETE FROM t", allowAnalyze: true);
    }

    [Fact]
    public void The_walk_collects_functions_operators_parameters_and_attribute_names()
    {
        var statement = SqlGuard.Inspect("SELECT s.f(x), lower(a.b) || $2, t.col FROM t, LATERAL generate_series(1, $1) WHERE x ~~ 'a'", false);
        Assert.Contains(new FunctionName("s", "f"), statement.Functions);
        Assert.Contains(new FunctionName(null, "lower"), statement.Functions);
        Assert.Contains(new FunctionName(null, "generate_series"), statement.Functions);
        Assert.Contains("||", statement.Operators);
        Assert.Contains("~~", statement.Operators);
        Assert.Contains("col", statement.AttributeNames);
        Assert.Equal(2, statement.ParameterCount);
    }

    [Fact]
    public void Too_long_and_too_deeply_nested_sql_is_refused_before_parsing()
    {
        Assert.Contains("limit", Refusal("SELECT " + new string('1', SqlGuard.MaxSqlLength)).Message, StringComparison.Ordinal);
        Assert.Contains("nests", Refusal("SELECT " + new string('(', 200) + "1" + new string(')', 200)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_is_accepted_and_a_trailing_comment_kept_out_of_nothing()
    {
        Assert.Equal(StatementKind.Show, SqlGuard.Inspect("SHOW work_mem", false).Kind);
        Assert.Equal("  SELECT 1", SqlGuard.Inspect("  SELECT 1 ;  ", false).Text);
    }
}
