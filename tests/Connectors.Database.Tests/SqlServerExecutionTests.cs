using Connectors.Database.SqlServer;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Database.Tests;

/// <summary>
/// A SQL Server profile end to end against a real SQL Server (CONNECTORS_TEST_SQLSERVER); every test here is reported as
/// skipped, with that reason, when none is configured.
/// </summary>
public sealed class SqlServerExecutionTests(SqlServerDatabase database) : IClassFixture<SqlServerDatabase>
{
    private const string Accounts = $"{SqlServerDatabase.Schema}.accounts";

    private Task<InMemoryMcp> StartAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", database.ConnectionString, "--provider", "sqlserver", .. extra]);

    private Task<string> FingerprintAsync() =>
        database.ScalarAsync($"SELECT CONCAT(COUNT(*), '/', SUM(balance), '/', (SELECT COUNT(*) FROM {SqlServerDatabase.Schema}.orders), '/', (SELECT COUNT(*) FROM sys.tables)) FROM {Accounts}");

    [SqlServerFact]
    public async Task A_query_returns_types_once_and_exact_values_with_at_p_parameters()
    {
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("query", new { sql = $"SELECT id, owner, balance, opened, photo FROM {Accounts} WHERE id = @p1", @params = new object[] { 1 } });
        Assert.True(result.IsError != true, result.Text());
        var json = JsonDocument.Parse(result.Text()).RootElement;
        Assert.Equal("decimal", json.GetProperty("columns")[2].GetProperty("type").GetString());
        var row = json.GetProperty("rows")[0];
        Assert.Equal(1, row[0].GetInt32());
        Assert.Equal("alice", row[1].GetString());
        Assert.Equal("12345678901234567890.1234567890", row[2].GetString());
        Assert.Equal("2024-02-29", row[3].GetString());
        Assert.Equal("AQI=", row[4].GetString());
    }

    [SqlServerFact]
    public async Task Rows_beyond_max_rows_are_cut_with_a_note_and_the_rest_is_not_read()
    {
        await using var mcp = await StartAsync();
        var json = JsonDocument.Parse((await mcp.CallAsync("query", new { sql = $"SELECT id FROM {Accounts} ORDER BY id", max_rows = 2 })).Text()).RootElement;
        Assert.Equal(2, json.GetProperty("rowCount").GetInt32());
        Assert.Contains("OFFSET", json.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.True((await mcp.CallAsync("query", new { sql = "SELECT 1 AS still_usable" })).IsError != true);
    }

    [SqlServerFact]
    public async Task Every_attack_in_the_corpus_is_refused_and_changes_nothing()
    {
        var before = await FingerprintAsync();
        await using var mcp = await StartAsync();
        foreach (var (_, sql) in TSqlCorpus.Attacks)
        {
            Assert.True((await mcp.CallAsync("query", new { sql = sql.Replace("dbo.", SqlServerDatabase.Schema + ".", StringComparison.Ordinal) })).IsError, sql);
        }

        Assert.Equal(before, await FingerprintAsync());
    }

    [SqlServerFact]
    public async Task Writes_that_reach_the_engine_are_rolled_back()
    {
        var before = await FingerprintAsync();
        var profile = ProfileRegistry.Create(ConnectorSettings.From(new Dictionary<ConnectorOption, object?>
        {
            [DatabaseOptions.ConnectionString] = database.ConnectionString,
            [DatabaseOptions.Provider] = "sqlserver",
        })).Get(null);
        using var engine = new SqlServerEngine(NullLogger<SqlServerEngine>.Instance);
        foreach (var write in new[] { $"DELETE FROM {SqlServerDatabase.Schema}.orders", $"UPDATE {Accounts} SET balance = 0", $"CREATE TABLE {SqlServerDatabase.Schema}.pwned (x int)" })
        {
            await engine.ReadAsync(profile, async (connection, transaction, ct) =>
            {
                await using var command = SqlServerEngine.Command(write, connection, transaction, profile);
                return await command.ExecuteNonQueryAsync(ct);
            }, CancellationToken.None);
        }

        Assert.Equal(before, await FingerprintAsync());
    }

    [SqlServerFact]
    public async Task Metadata_tools_show_tables_columns_keys_and_indexes()
    {
        await using var mcp = await StartAsync();
        Assert.Contains($"{SqlServerDatabase.Schema} (owner ", (await mcp.CallAsync("list_schemas")).Text(), StringComparison.Ordinal);
        Assert.Contains($"{Accounts} (table, ~5 rows, ", (await mcp.CallAsync("list_tables", new { schema = SqlServerDatabase.Schema })).Text(), StringComparison.Ordinal);
        var described = (await mcp.CallAsync("describe_table", new { table = "orders", schema = SqlServerDatabase.Schema })).Text();
        Assert.Contains("  account_id int NOT NULL\n", described, StringComparison.Ordinal);
        Assert.Contains($"fk_orders_accounts: FOREIGN KEY (account_id) REFERENCES {Accounts} (id)", described, StringComparison.Ordinal);
        var accounts = (await mcp.CallAsync("describe_table", new { table = "accounts", schema = SqlServerDatabase.Schema })).Text();
        TextAssert.ContainsAll(
            accounts,
            "  balance decimal(38, 10) NOT NULL DEFAULT ((0))\n",
            "pk_accounts: PRIMARY KEY (id)",
            "ck_balance: CHECK ([balance]>(-1000))");
    }

    [SqlServerFact]
    public async Task Explain_summarizes_the_showplan_and_errors_carry_the_servers_message_and_line()
    {
        await using var mcp = await StartAsync();
        var plan = (await mcp.CallAsync("explain", new { sql = $"SELECT owner FROM {Accounts} WHERE id = @p1", @params = new object[] { 2 } })).Text();
        Assert.StartsWith("Statement  (cost ", plan, StringComparison.Ordinal);
        Assert.Contains("Clustered Index Seek", plan, StringComparison.Ordinal);

        var error = await mcp.CallAsync("query", new { sql = $"SELECT id\nFROM {Accounts}\nWHERE nope = 1" });
        Assert.Equal("invalid_argument", error.ErrorCode());
        Assert.Contains("Invalid column name 'nope'. (line 3)", error.Text(), StringComparison.Ordinal);
    }
}
