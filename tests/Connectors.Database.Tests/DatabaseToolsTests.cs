namespace Connectors.Database.Tests;

[Collection(PostgresCollection.Name)]
public sealed class DatabaseToolsTests(DatabaseCluster cluster)
{
    private Task<InMemoryMcp> StartAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", cluster.ConnectionString, .. extra]);

    private static JsonElement Json(ModelContextProtocol.Protocol.CallToolResult result)
    {
        Assert.True(result.IsError != true, result.Text());
        return JsonDocument.Parse(result.Text()).RootElement;
    }

    [Fact]
    public async Task List_databases_describes_each_profile_without_its_password()
    {
        var mcp = await cluster.SharedServerAsync();
        var result = await mcp.CallAsync("list_databases");
        var text = result.Text();
        Assert.Contains("default: postgres database 'connectors_test' on 127.0.0.1:", text, StringComparison.Ordinal);
        var profile = result.StructuredContent!.Value.GetProperty("databases")[0];
        Assert.Equal("postgres", profile.GetProperty("engine").GetString());
        Assert.Equal("connectors_test", profile.GetProperty("database").GetString());
        Assert.DoesNotContain(PostgresCluster.Password, result.StructuredContent!.Value.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("as 'postgres'", text, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_schemas_and_list_tables_show_kinds_sizes_and_comments()
    {
        var mcp = await cluster.SharedServerAsync();
        var schemas = (await mcp.CallAsync("list_schemas")).Text();
        Assert.Contains("public (owner pg_database_owner, 4 tables/views)", schemas, StringComparison.Ordinal);
        Assert.Contains("sales (owner postgres, 1 tables/views): Sales data", schemas, StringComparison.Ordinal);

        var tables = (await mcp.CallAsync("list_tables")).Text();
        TextAssert.ContainsAll(tables, "public.accounts (table, ~4 rows, ", "): Customer accounts", "public.orders (table, ~2,000 rows, ");
        Assert.Equal("sales.big_accounts (view, ~0 rows, 0 B)\n", (await mcp.CallAsync("list_tables", new { schema = "sales" })).Text());
    }

    [Fact]
    public async Task List_tables_sizes_count_table_toast_and_indexes_and_a_never_analyzed_table_is_measured_on_disk()
    {
        var mcp = await cluster.SharedServerAsync();
        await using var admin = await cluster.OpenAdminAsync();
        // The fixture ends with ANALYZE, which records the page count of orders and of each of its indexes.
        var analyzed = await ScalarAsync(admin, """
            SELECT (pg_relation_size(c.oid) + pg_indexes_size(c.oid) + pg_relation_size(c.reltoastrelid) + pg_indexes_size(c.reltoastrelid))::bigint
            FROM pg_class c WHERE c.oid = 'orders'::regclass
            """);
        Assert.Contains($"public.orders (table, ~2,000 rows, {Tools.DatabaseTools.Size(analyzed)})", (await mcp.CallAsync("list_tables", new { schema = "public" })).Text(), StringComparison.Ordinal);

        await ExecuteAsync(admin, "CREATE SCHEMA sizes_probe");
        try
        {
            await ExecuteAsync(admin, "CREATE TABLE sizes_probe.fresh WITH (autovacuum_enabled = false) AS SELECT g AS id, repeat('x', 200) AS filler FROM generate_series(1, 3000) g");
            var onDisk = await ScalarAsync(admin, "SELECT pg_total_relation_size('sizes_probe.fresh')");
            Assert.True(onDisk > 100_000, "the never-analyzed table holds real pages");
            Assert.Equal($"sizes_probe.fresh (table, ~0 rows, {Tools.DatabaseTools.Size(onDisk)})\n", (await mcp.CallAsync("list_tables", new { schema = "sizes_probe" })).Text());
        }
        finally
        {
            await ExecuteAsync(admin, "DROP SCHEMA sizes_probe CASCADE");
        }
    }

    private static async Task ExecuteAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Describe_table_shows_columns_keys_constraints_and_indexes()
    {
        var mcp = await cluster.SharedServerAsync();
        var accounts = (await mcp.CallAsync("describe_table", new { table = "accounts" })).Text();
        TextAssert.ContainsAll(
            accounts,
            "  id integer NOT NULL DEFAULT nextval('account_ids'::regclass)\n",
            "  owner text NOT NULL -- Who holds the account\n",
            "Primary key:\n  accounts_pkey: PRIMARY KEY (id)\n",
            "Checks:\n  accounts_balance_check: CHECK ((balance >= (0)::numeric))\n");

        var orders = (await mcp.CallAsync("describe_table", new { table = "orders", schema = "public" })).Text();
        Assert.Contains("Foreign keys:\n  orders_account_id_fkey: FOREIGN KEY (account_id) REFERENCES accounts(id)\n", orders, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX orders_account ON public.orders USING btree (account_id, placed_at)", orders, StringComparison.Ordinal);

        var missing = await mcp.CallAsync("describe_table", new { table = "nope" });
        Assert.Equal("not_found", missing.ErrorCode());
    }

    [Fact]
    public async Task Query_results_keep_exact_types_compactly()
    {
        var mcp = await cluster.SharedServerAsync();
        var result = Json(await mcp.CallAsync("query", new { sql = "SELECT * FROM types" }));
        var columns = result.GetProperty("columns").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}");
        Assert.Equal(
            "i8:bigint n:numeric f:double precision b:boolean d:date ts:timestamp without time zone tstz:timestamp with time zone j:json jb:jsonb arr:integer[] bin:bytea u:uuid t:text",
            string.Join(' ', columns));
        var row = result.GetProperty("rows")[0];
        Assert.Equal("9007199254740993", row[0].GetString());
        Assert.Equal("12345678901234567890.5", row[1].GetString());
        Assert.Equal(1.5, row[2].GetDouble());
        Assert.True(row[3].GetBoolean());
        Assert.Equal("2024-02-29", row[4].GetString());
        Assert.Equal("2024-02-29T13:14:15.123456", row[5].GetString());
        Assert.Equal("2024-02-29T13:14:15Z", row[6].GetString());
        Assert.Equal(2, row[7].GetProperty("a")[1].GetInt32());
        Assert.Equal(JsonValueKind.Null, row[8].GetProperty("b").GetProperty("c").ValueKind);
        Assert.Equal("[1,2,3]", row[9].GetRawText());
        Assert.Equal(3000, row[10].GetProperty("bytes").GetInt32());
        Assert.True(row[10].GetProperty("truncated").GetBoolean());
        Assert.Equal(1024, Convert.FromBase64String(row[10].GetProperty("base64").GetString()!).Length);
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", row[11].GetString());
        Assert.Equal(1, result.GetProperty("rowCount").GetInt32());
    }

    [Theory]
    [InlineData("SELECT bump_balances()", "the function bump_balances() may change data")]
    [InlineData("SELECT sneaky_sum(id) FROM accounts", "the function sneaky_sum() may change data")]
    [InlineData("SELECT 1 <~~> 2", "the operator <~~> runs a volatile function")]
    [InlineData("SELECT a.account_label FROM accounts a", "'.account_label' could call the volatile function account_label()")]
    [InlineData("SELECT no_such_function(1)", "function no_such_function() does not exist")]
    public async Task The_catalog_check_refuses_volatile_calls_before_anything_runs(string sql, string reason)
    {
        var mcp = await cluster.SharedServerAsync();
        var result = await mcp.CallAsync("query", new { sql });
        Assert.True(result.IsError, result.Text());
        Assert.Contains(reason, result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numerics_are_exact_at_any_size_and_huge_values_are_never_read_whole()
    {
        var mcp = await cluster.SharedServerAsync();
        var numbers = Json(await mcp.CallAsync("query", new
        {
            sql = "SELECT 0::numeric, -0.000123::numeric, 10000::numeric(10,2), 9007199254740991::numeric, 9007199254740993::numeric, 0.1234567890123456789::numeric, 123456789012345678901234567890.123456789::numeric, 'NaN'::numeric, '-Infinity'::numeric, 1e-40::numeric",
        }));
        Assert.Equal(
            "[0,-0.000123,10000.00,9007199254740991,\"9007199254740993\",\"0.1234567890123456789\",\"123456789012345678901234567890.123456789\",\"NaN\",\"-Infinity\",0.0000000000000000000000000000000000000001]",
            numbers.GetProperty("rows")[0].GetRawText());

        var huge = Json(await mcp.CallAsync("query", new { sql = "SELECT 1 AS n, repeat('x', 20000000) AS big UNION ALL SELECT 2, 'small'" }));
        Assert.Equal(0, huge.GetProperty("rowCount").GetInt32());
        Assert.Contains("did not fit", huge.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameters_bind_to_dollar_placeholders_with_types_inferred_by_PostgreSQL()
    {
        var mcp = await cluster.SharedServerAsync();
        var result = Json(await mcp.CallAsync("query", new
        {
            sql = "SELECT owner, balance FROM accounts WHERE id >= $1 AND owner = ANY($2) AND ($3::text IS NULL OR true) ORDER BY id",
            @params = new List<object?> { 2, new List<string> { "brian", "dana", "x'; DROP TABLE accounts; --" }, null },
        }));
        Assert.Equal("[[\"brian\",20.00],[\"dana\",5000.00]]", result.GetProperty("rows").GetRawText());

        var missing = await mcp.CallAsync("query", new { sql = "SELECT $2::int" , @params = new List<int> { 1 } });
        Assert.Equal("invalid_argument", missing.ErrorCode());
        Assert.Contains("give exactly 2 value(s) (got 1)", missing.Text(), StringComparison.Ordinal);
        var extra = await mcp.CallAsync("query", new { sql = "SELECT 1", @params = new List<int> { 1 } });
        Assert.Contains("no $n placeholders", extra.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_are_cut_at_max_rows_with_an_N_plus_1_probe_and_words_on_narrowing()
    {
        var mcp = await cluster.SharedServerAsync();
        var fiveResult = await mcp.CallAsync("query", new { sql = "SELECT id FROM orders ORDER BY id", max_rows = 5 });
        var five = Json(fiveResult);
        Assert.Equal("[[1],[2],[3],[4],[5]]", five.GetProperty("rows").GetRawText());
        Assert.True(five.GetProperty("truncated").GetBoolean());
        Assert.Contains("Showing the first 5 rows; the query returned more", five.GetProperty("note").GetString(), StringComparison.Ordinal);
        // The structured answer holds the same rows, cut and note.
        var structured = fiveResult.StructuredContent!.Value;
        Assert.Equal("[[1],[2],[3],[4],[5]]", structured.GetProperty("rows").GetRawText());
        Assert.Equal("id", structured.GetProperty("columns")[0].GetProperty("name").GetString());
        Assert.True(structured.GetProperty("truncated").GetBoolean());
        Assert.Equal(five.GetProperty("note").GetString(), structured.GetProperty("note").GetString());

        var exact = Json(await mcp.CallAsync("query", new { sql = "SELECT id FROM orders ORDER BY id LIMIT 5", max_rows = 5 }));
        Assert.False(exact.TryGetProperty("truncated", out _), "exactly max_rows rows is not a cut");

        var byDefault = Json(await mcp.CallAsync("query", new { sql = "SELECT id FROM orders" }));
        Assert.Equal(500, byDefault.GetProperty("rowCount").GetInt32());

        var tooMany = await mcp.CallAsync("query", new { sql = "SELECT 1", max_rows = 10_000_000 });
        Assert.Equal("invalid_argument", tooMany.ErrorCode());
    }

    [Fact]
    public async Task Rows_beyond_the_first_fetch_come_from_further_fetches_in_the_same_transaction()
    {
        // The first FETCH (in the fence's batch) holds at most 5,000 rows; the rest come chunk by chunk.
        await using var mcp = await StartAsync("--max-output-bytes", "200000");
        var all = Json(await mcp.CallAsync("query", new { sql = "SELECT g FROM generate_series(1, 10000) g", max_rows = 10_000 }));
        Assert.Equal(10_000, all.GetProperty("rowCount").GetInt32());
        Assert.False(all.TryGetProperty("truncated", out _), "exactly max_rows rows is not a cut");
        var rows = all.GetProperty("rows");
        Assert.Equal(Enumerable.Range(1, 10_000), rows.EnumerateArray().Select(row => row[0].GetInt32()));

        var cut = Json(await mcp.CallAsync("query", new { sql = "SELECT g FROM generate_series(1, 12001) g", max_rows = 7_500 }));
        Assert.Equal(7_500, cut.GetProperty("rowCount").GetInt32());
        Assert.True(cut.GetProperty("truncated").GetBoolean());
        Assert.Equal(7_500, cut.GetProperty("rows")[7_499][0].GetInt32());

        // An error in a later chunk is the query's error, and the connection goes back clean.
        var late = await mcp.CallAsync("query", new { sql = "SELECT 1 / (g - 7000) FROM generate_series(1, 10000) g", max_rows = 10_000 });
        Assert.Equal("invalid_argument", late.ErrorCode());
        Assert.Contains("division by zero", late.Text(), StringComparison.Ordinal);
        Assert.Equal("n\n1\n", (await mcp.CallAsync("query", new { sql = "SELECT 1 AS n", format = "csv" })).Text());
    }

    [Fact]
    public async Task A_large_result_is_cut_at_the_byte_budget_and_says_how_to_narrow_it()
    {
        await using var mcp = await StartAsync("--max-output-bytes", "8192");
        var text = (await mcp.CallAsync("query", new { sql = "SELECT * FROM big", max_rows = 10_000 })).Text();
        Assert.True(Encoding.UTF8.GetByteCount(text) <= 8192, $"{Encoding.UTF8.GetByteCount(text)} bytes");
        var result = JsonDocument.Parse(text).RootElement;
        Assert.InRange(result.GetProperty("rowCount").GetInt32(), 50, 500);
        Assert.Contains("did not fit the 8,192-byte answer budget", result.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_and_markdown_formats_quote_what_needs_quoting()
    {
        var mcp = await cluster.SharedServerAsync();
        var csvResult = await mcp.CallAsync("query", new { sql = "SELECT 1 AS n, t, NULL AS nothing FROM types", format = "csv" });
        Assert.Equal("n,t,nothing\n1,\"line1\nline2, \"\"quoted\"\" | piped\",\n", csvResult.Text());
        // In csv the rows are the text's; the structured answer says which columns and how many rows, without them.
        var structured = csvResult.StructuredContent!.Value;
        Assert.Equal(["n", "t", "nothing"], structured.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(1, structured.GetProperty("rowCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, structured.GetProperty("rows").ValueKind);
        var markdown = (await mcp.CallAsync("query", new { sql = "SELECT 1 AS n, t FROM types", format = "markdown" })).Text();
        Assert.Equal("| n (integer) | t (text) |\n| --- | --- |\n| 1 | line1<br>line2, \"quoted\" \\| piped |\n", markdown);
        Assert.Equal("invalid_argument", (await mcp.CallAsync("query", new { sql = "SELECT 1", format = "xml" })).ErrorCode());
    }

    [Fact]
    public async Task Query_errors_from_PostgreSQL_carry_its_message_and_the_position_in_the_sql()
    {
        var mcp = await cluster.SharedServerAsync();
        var result = await mcp.CallAsync("query", new { sql = "SELECT id FROM nope" });
        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Contains("relation \"nope\" does not exist (at character 16)", result.Text(), StringComparison.Ordinal);
        var indented = await mcp.CallAsync("query", new { sql = "\n  SELECT id FROM nope" });
        Assert.Contains("(at character 19)", indented.Text(), StringComparison.Ordinal);
        var explained = await mcp.CallAsync("explain", new { sql = "SELECT id FROM nope" });
        Assert.Contains("relation \"nope\" does not exist (at character 16)", explained.Text(), StringComparison.Ordinal);

        var division = await mcp.CallAsync("query", new { sql = "SELECT 1 / 0" });
        Assert.Contains("division by zero", division.Text(), StringComparison.Ordinal);
        Assert.Equal("invalid_argument", (await mcp.CallAsync("query", new { sql = "SELECT * FROM accounts", database = "other" })).ErrorCode());
    }

    [Fact]
    public async Task Explain_summarizes_the_plan_and_runs_analyze_only_when_the_profile_allows_it()
    {
        var mcp = await cluster.SharedServerAsync();
        var explained = await mcp.CallAsync("explain", new { sql = "SELECT a.owner, count(*) FROM accounts a JOIN orders o ON o.account_id = a.id WHERE o.total > $1 GROUP BY 1", @params = new List<int> { 10 } });
        var plan = explained.Text();
        Assert.Contains("Seq Scan on orders o", plan, StringComparison.Ordinal);
        // The structured plan holds the same steps: the scan of orders somewhere below the top, with its filter.
        var structured = explained.StructuredContent!.Value;
        Assert.Equal("postgres", structured.GetProperty("engine").GetString());
        static IEnumerable<JsonElement> Steps(JsonElement nodes) => nodes.EnumerateArray().SelectMany(n => Steps(n.GetProperty("children")).Prepend(n));
        var scan = Steps(structured.GetProperty("plan")).Single(n => n.GetProperty("operation").GetString() == "Seq Scan on orders o");
        Assert.Equal("(total > '10'::numeric)", scan.GetProperty("details").GetProperty("Filter").GetString());
        Assert.Equal(JsonValueKind.Null, scan.GetProperty("actualRows").ValueKind);
        Assert.Contains("Filter: (total > '10'::numeric)", plan, StringComparison.Ordinal);
        Assert.Contains("-> ", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("actual", plan, StringComparison.Ordinal);

        var refused = await mcp.CallAsync("explain", new { sql = "SELECT 1", analyze = true });
        Assert.Equal("permission_denied", refused.ErrorCode());
        Assert.Equal("permission_denied", (await mcp.CallAsync("explain", new { sql = "DELETE FROM accounts" })).ErrorCode());

        await using var analyzing = await StartAsync("--allow-explain-analyze");
        var measured = (await analyzing.CallAsync("explain", new { sql = "SELECT count(*) FROM orders", analyze = true })).Text();
        Assert.Contains("(actual ", measured, StringComparison.Ordinal);
        Assert.Contains("Execution Time:", measured, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_profiles_from_the_config_file_are_listed_and_selected_by_the_database_argument()
    {
        var config = Path.Combine(Path.GetTempPath(), $"connectors-db-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["databases"] = new Dictionary<string, object>
            {
                ["analytics"] = new { connectionStringEnv = "TEST_ANALYTICS_DB", maxRows = 3, statementTimeoutSeconds = 5 },
                ["broken"] = new { connectionString = "Host=127.0.0.1;Port=1;Database=x;Username=u;Password=" + PostgresCluster.Password },
            },
        }));
        Environment.SetEnvironmentVariable("TEST_ANALYTICS_DB", cluster.ConnectionString);
        try
        {
            await using var mcp = await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--config", config]);
            var list = (await mcp.CallAsync("list_databases")).Text();
            TextAssert.ContainsAll(
                list,
                "analytics: postgres database 'connectors_test'",
                "statement timeout 5 s, max rows 3",
                "broken: postgres database 'x' on 127.0.0.1:1 as 'u'");

            var capped = Json(await mcp.CallAsync("query", new { sql = "SELECT id FROM orders", database = "analytics" }));
            Assert.Equal(3, capped.GetProperty("rowCount").GetInt32());
            Assert.Equal("invalid_argument", (await mcp.CallAsync("query", new { sql = "SELECT 1" })).ErrorCode());

            var down = await mcp.CallAsync("query", new { sql = "SELECT 1", database = "broken" });
            Assert.Equal("upstream_unavailable", down.ErrorCode());
            Assert.True(down.ErrorField("retryable").GetBoolean());
            Assert.DoesNotContain(PostgresCluster.Password, down.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain("Port=1", down.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresCluster.Password, mcp.Logs, StringComparison.Ordinal);
            Assert.Contains("Database profile broken is unavailable", mcp.Logs, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TEST_ANALYTICS_DB", null);
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Start_up_refuses_a_missing_or_invalid_configuration_with_a_clear_message()
    {
        var none = await Assert.ThrowsAsync<Connectors.Hosting.Configuration.ConnectorConfigurationException>(() => InMemoryMcp.StartAsync(DatabaseServer.Create(), []));
        Assert.Contains("No database configured", none.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<Connectors.Hosting.Configuration.ConnectorConfigurationException>(() =>
            InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", "Hots=x;Password=" + PostgresCluster.Password]));
        Assert.DoesNotContain(PostgresCluster.Password, bad.Message, StringComparison.Ordinal);
    }
}
