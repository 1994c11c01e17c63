namespace Connectors.Database.Tests;

/// <summary>
/// The SQL corpora, organized by class. <c>{victim}</c> stands for the backend pid of another live session the tests
/// keep open; <c>{file}</c> for a path that must never be created.
/// </summary>
public static class Corpus
{
    public static readonly (string Class, string Sql)[] Attacks =
    [
        // Stacked statements after transaction control or settings.
        ("stacked", "SELECT 1; DELETE FROM accounts"),
        ("stacked", "SELECT 1; COMMIT; DROP TABLE accounts"),
        ("stacked", "COMMIT; DROP TABLE accounts"),
        ("stacked", "ROLLBACK; UPDATE accounts SET balance = 0"),
        ("stacked", "COMMIT; BEGIN READ WRITE; DELETE FROM accounts; COMMIT"),
        ("stacked", "BEGIN TRANSACTION READ WRITE"),
        ("stacked", "SET transaction_read_only = off; DELETE FROM accounts"),
        ("stacked", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM accounts"),
        ("stacked", "SELECT 1;\nDELETE FROM accounts;"),
        ("stacked", "END; TRUNCATE accounts"),
        ("stacked", "ABORT; CREATE TABLE pwned(x int)"),
        // Comments and odd lexing that try to hide a second statement.
        ("lexing", "SELECT 1 /* ; */ ; DELETE FROM accounts"),
        ("lexing", "SELECT 1 /* outer /* nested */ still comment */; DELETE FROM accounts"),
        ("lexing", "SELECT $$ ; $$; DELETE FROM accounts"),
        ("lexing", "SELECT $tag$ it's $$ here $tag$; DELETE FROM accounts"),
        ("lexing", "SELECT E'\\''; DELETE FROM accounts; SELECT '"),
        ("lexing", "SELECT 'a'';'; DELETE FROM accounts"),
        ("lexing", "SELECT 1 -- comment\n; DELETE FROM accounts"),
        ("lexing", "SELECT U&'\\0027'; DELETE FROM accounts"),
        ("lexing", "SELECT 1 \\; DELETE FROM accounts"),
        ("lexing", "/* only a comment */ DELETE FROM accounts"),
        ("lexing", "DeLeTe FrOm accounts"),
        ("lexing", "SELECT\t1;\u00a0DELETE FROM accounts"),
        ("lexing", "SELECT U&\"d\\0065lete\"()"),
        // Writable CTEs and data modification anywhere in the tree.
        ("writable-cte", "WITH gone AS (DELETE FROM accounts RETURNING *) SELECT count(*) FROM gone"),
        ("writable-cte", "WITH x AS (UPDATE accounts SET balance = 0 RETURNING id) SELECT * FROM x"),
        ("writable-cte", "WITH x AS (INSERT INTO accounts VALUES (99, 'eve', 1) RETURNING id) SELECT * FROM x"),
        ("writable-cte", "WITH a AS (SELECT 1), b AS (MERGE INTO accounts USING (SELECT 1 AS id) s ON accounts.id = s.id WHEN MATCHED THEN DELETE) SELECT 1"),
        ("writable-cte", "SELECT * FROM (WITH x AS (DELETE FROM accounts RETURNING id) SELECT id FROM x) s"),
        ("writable-cte", "EXPLAIN WITH x AS (DELETE FROM accounts RETURNING id) SELECT * FROM x"),
        // Statements that are not reads.
        ("not-a-read", "SELECT * INTO pwned FROM accounts"),
        ("not-a-read", "CREATE TABLE pwned AS SELECT * FROM accounts"),
        ("not-a-read", "DO $$ BEGIN DELETE FROM accounts; END $$"),
        ("not-a-read", "CALL wipe()"),
        ("not-a-read", "DELETE FROM accounts"),
        ("not-a-read", "UPDATE accounts SET balance = 0"),
        ("not-a-read", "TRUNCATE accounts"),
        ("not-a-read", "DROP TABLE accounts"),
        ("not-a-read", "ALTER TABLE accounts ADD COLUMN x int"),
        ("not-a-read", "VACUUM accounts"),
        ("not-a-read", "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"),
        ("not-a-read", "SELECT * FROM accounts FOR UPDATE"),
        ("not-a-read", "SELECT * FROM accounts FOR SHARE NOWAIT"),
        ("not-a-read", "PREPARE p AS DELETE FROM accounts"),
        ("not-a-read", "PREPARE p AS SELECT 1"),
        ("not-a-read", "EXECUTE p"),
        ("not-a-read", "DEALLOCATE ALL"),
        ("not-a-read", "GRANT ALL ON accounts TO PUBLIC"),
        ("not-a-read", "REVOKE SELECT ON accounts FROM postgres"),
        ("not-a-read", "CREATE EXTENSION IF NOT EXISTS dblink"),
        ("not-a-read", "CREATE ROLE pwned SUPERUSER LOGIN"),
        ("not-a-read", "ALTER SYSTEM SET fsync = off"),
        ("not-a-read", "ALTER DATABASE connectors_test SET default_transaction_read_only = off"),
        ("not-a-read", "LISTEN channel"),
        ("not-a-read", "NOTIFY channel, 'x'"),
        ("not-a-read", "DECLARE c CURSOR WITH HOLD FOR SELECT 1"),
        ("not-a-read", "DISCARD ALL"),
        ("not-a-read", "RESET ALL"),
        ("not-a-read", "SET ROLE postgres"),
        ("not-a-read", "SET statement_timeout = 0"),
        ("not-a-read", "CHECKPOINT"),
        ("not-a-read", "REFRESH MATERIALIZED VIEW x"),
        ("not-a-read", "SECURITY LABEL ON TABLE accounts IS 'x'"),
        ("not-a-read", "COMMENT ON TABLE accounts IS 'pwned'"),
        ("not-a-read", "CREATE OR REPLACE FUNCTION double_it(x int) RETURNS int LANGUAGE sql VOLATILE AS 'DELETE FROM accounts; SELECT 1'"),
        ("not-a-read", "IMPORT FOREIGN SCHEMA x FROM SERVER y INTO public"),
        ("not-a-read", "PREPARE TRANSACTION 'x'"),
        // User functions and operators that write.
        ("user-function", "SELECT bump_balances()"),
        ("user-function", "SELECT * FROM bump_balances()"),
        ("user-function", "SELECT public.bump_balances()"),
        ("user-function", "SELECT sneaky_stable()"),
        ("user-function", "SELECT a.account_label FROM accounts a"),
        ("user-function", "SELECT 1 <~~> 2"),
        ("user-function", "SELECT sneaky_sum(id) FROM accounts"),
        ("user-function", "SELECT sneaky_sum(id) OVER () FROM accounts"),
        ("user-function", "SELECT id FROM accounts WHERE id = (SELECT bump_balances())"),
        ("user-function", "SELECT count(*) FILTER (WHERE bump_balances() > 0) FROM accounts"),
        // Sequences.
        ("sequence", "SELECT nextval('account_ids')"),
        ("sequence", "SELECT setval('account_ids', 1)"),
        ("sequence", "SELECT pg_catalog.nextval('account_ids')"),
        ("sequence", "SELECT currval('account_ids')"),
        // COPY to and from files and programs.
        ("copy", "COPY accounts TO '{file}'"),
        ("copy", "COPY (SELECT * FROM accounts) TO PROGRAM 'touch {file}'"),
        ("copy", "COPY accounts FROM '/etc/hostname'"),
        ("copy", "COPY accounts FROM PROGRAM 'echo 9,x,1'"),
        ("copy", "SELECT 1; COPY accounts TO PROGRAM 'touch {file}'"),
        // File and directory functions in select lists and in FROM.
        ("file", "SELECT pg_read_file('/etc/passwd')"),
        ("file", "SELECT pg_catalog.pg_read_file('/etc/passwd', 0, 100)"),
        ("file", "SELECT pg_read_binary_file('/etc/passwd')"),
        ("file", "SELECT * FROM pg_ls_dir('/')"),
        ("file", "SELECT * FROM pg_ls_waldir()"),
        ("file", "SELECT pg_stat_file('/etc/passwd')"),
        ("file", "SELECT x FROM accounts, LATERAL pg_read_file('/etc/passwd') AS x"),
        ("file", "SELECT (SELECT pg_read_file('/etc/passwd'))"),
        ("file", "SELECT \"pg_read_file\"('/etc/passwd')"),
        ("file", "SELECT PG_READ_FILE('/etc/passwd')"),
        // Large objects.
        ("large-object", "SELECT lo_import('/etc/passwd')"),
        ("large-object", "SELECT lo_export(1, '{file}')"),
        ("large-object", "SELECT lo_create(0)"),
        ("large-object", "SELECT lo_from_bytea(0, 'x')"),
        ("large-object", "SELECT lowrite(lo_open(1, 131072), 'x')"),
        // Network.
        ("network", "SELECT * FROM dblink('host=127.0.0.1 dbname=connectors_test', 'DELETE FROM accounts') AS t(x text)"),
        ("network", "SELECT dblink_exec('DELETE FROM accounts')"),
        // Advisory locks and session state.
        ("lock", "SELECT pg_advisory_lock(42)"),
        ("lock", "SELECT pg_try_advisory_lock(42)"),
        ("lock", "SELECT pg_advisory_xact_lock(42)"),
        ("session", "SELECT set_config('default_transaction_read_only', 'off', false)"),
        ("session", "SELECT set_config('statement_timeout', '0', false)"),
        ("session", "SELECT setseed(0.5)"),
        ("session", "SELECT pg_notify('x', 'y')"),
        ("session", "SELECT pg_sleep(60)"),
        // Signals to other sessions and administration.
        ("signal", "SELECT pg_terminate_backend({victim})"),
        ("signal", "SELECT pg_cancel_backend({victim})"),
        ("signal", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"),
        ("admin", "SELECT pg_reload_conf()"),
        ("admin", "SELECT pg_rotate_logfile()"),
        ("admin", "SELECT pg_switch_wal()"),
        ("admin", "SELECT pg_create_restore_point('x')"),
        ("admin", "SELECT pg_stat_reset()"),
        // SQL from a string.
        ("dynamic-sql", "SELECT query_to_xml('DELETE FROM accounts RETURNING *', true, false, '')"),
        ("dynamic-sql", "SELECT * FROM ts_stat('SELECT to_tsvector(owner) FROM accounts')"),
        ("dynamic-sql", "SELECT table_to_xml('accounts', true, false, '')"),
        // EXPLAIN ANALYZE of writes, or ANALYZE not allowed by the profile.
        ("explain", "EXPLAIN ANALYZE DELETE FROM accounts"),
        ("explain", "EXPLAIN (ANALYZE) UPDATE accounts SET balance = 0"),
        ("explain", "EXPLAIN ANALYZE SELECT * FROM accounts"),
        ("explain", "EXPLAIN DELETE FROM accounts"),
        ("explain", "EXPLAIN ANALYZE CREATE TABLE pwned AS SELECT 1"),
        // Very long and deeply nested SQL.
        ("size", "SELECT " + string.Join(" + ", Enumerable.Repeat("1", 60_000))),
        ("size", "SELECT " + new string('(', 5_000) + "1" + new string(')', 5_000)),
        ("size", "SELECT " + string.Concat(Enumerable.Repeat("ARRAY[", 3_000)) + "1" + new string(']', 3_000)),
        ("size", string.Concat(Enumerable.Repeat("SELECT 1 UNION ALL ", 20_000)) + "SELECT 1"),
        ("size", "SELECT " + string.Concat(Enumerable.Repeat("NOT ", 9_000)) + "true"),
        ("size", "SELECT " + string.Concat(Enumerable.Repeat("CASE WHEN true THEN ", 4_000)) + "1" + string.Concat(Enumerable.Repeat(" END", 4_000))),
        ("size", ""),
        ("size", "   ;  ; "),
        ("size", "SELECT 1\0; DELETE FROM accounts"),
    ];

    public static readonly string[] ValidReads =
    [
        "SELECT * FROM accounts",
        "SELECT 1;",
        "select id, owner from accounts where owner ilike 'A%' order by id;  ",
        "SELECT a.owner, count(o.*) AS orders, sum(o.total) FROM accounts a JOIN orders o ON o.account_id = a.id GROUP BY a.owner ORDER BY 1",
        "SELECT a.owner FROM accounts a LEFT JOIN orders o ON o.account_id = a.id WHERE o.id IS NULL",
        "SELECT id, total, rank() OVER (PARTITION BY account_id ORDER BY total DESC), sum(total) OVER w FROM orders WINDOW w AS (ORDER BY id ROWS 2 PRECEDING) LIMIT 10",
        "WITH recent AS (SELECT * FROM orders WHERE placed_at > '2024-02-01') SELECT count(*) FROM recent",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n",
        "SELECT DISTINCT ON (account_id) account_id, id, total FROM orders ORDER BY account_id, total DESC",
        "SELECT id::text, total::int, placed_at::date, CAST(total AS float8), '42'::int + 1 FROM orders LIMIT 3",
        "SELECT details->>'channel' AS channel, count(*) FROM orders WHERE details @> '{\"channel\": \"web\"}' GROUP BY 1",
        "SELECT details #> '{items}', jsonb_path_query_first(details, '$.items') FROM orders LIMIT 2",
        "SELECT tags[1], array_length(tags, 1), 't1' = ANY(tags), unnest(tags) FROM orders LIMIT 4",
        "SELECT 'DELETE FROM accounts; DROP TABLE accounts' AS harmless",
        "SELECT 1 -- DELETE FROM accounts\n",
        "/* UPDATE accounts SET balance = 0; */ SELECT 2",
        "SELECT $$ ; DELETE FROM accounts $$",
        "SELECT E'it\\'s; DROP TABLE accounts'",
        "SELECT U&'d\\0061ta'",
        "SELECT note FROM orders WHERE note LIKE '%DELETE%' LIMIT 1",
        "VALUES (1, 'a'), (2, 'b')",
        "SELECT id FROM accounts UNION SELECT account_id FROM orders EXCEPT SELECT 3 INTERSECT SELECT id FROM accounts",
        "SELECT * FROM generate_series(1, 5) g",
        "SELECT x FROM accounts a, LATERAL (SELECT a.balance * 2 AS x) s",
        "SELECT owner FROM accounts WHERE id IN (SELECT account_id FROM orders WHERE total > 90)",
        "SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = accounts.id) FROM accounts",
        "SELECT coalesce(note, '-'), nullif(total, 0), greatest(1, 2), CASE WHEN total > 50 THEN 'big' ELSE 'small' END FROM orders LIMIT 3",
        "SELECT date_trunc('month', placed_at), count(*) FROM orders GROUP BY 1 ORDER BY 1",
        "SELECT extract(year FROM placed_at), to_char(placed_at, 'YYYY-MM'), placed_at AT TIME ZONE 'UTC' FROM orders LIMIT 1",
        "SELECT now(), current_date, current_user, clock_timestamp() IS NOT NULL, random() < 2, gen_random_uuid() IS NOT NULL",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total), string_agg(DISTINCT owner, ',') FROM orders JOIN accounts ON accounts.id = orders.account_id",
        "SELECT double_it(21)",
        "SELECT * FROM sales.big_accounts",
        "SELECT count(*) FROM big TABLESAMPLE SYSTEM (50) REPEATABLE (1) WHERE true OR false",
        "SELECT regexp_replace(owner, '[aeiou]', '*', 'g'), upper(owner), length(owner) FROM accounts",
        "SELECT id FROM orders ORDER BY id OFFSET 5 FETCH FIRST 3 ROWS ONLY",
        "SELECT jsonb_agg(a) FROM accounts a",
        "SELECT row_to_json(a) FROM accounts a LIMIT 1",
        "SELECT a.owner FROM accounts a",
        "SELECT (SELECT max(total) FROM orders) - min(total) FROM orders",
        "SHOW statement_timeout",
        "SHOW transaction_read_only",
        "EXPLAIN SELECT * FROM orders WHERE account_id = 1",
        "EXPLAIN (FORMAT JSON) SELECT count(*) FROM orders",
        "SELECT pg_size_pretty(pg_total_relation_size('orders')), pg_size_pretty(12345::bigint)",
        "SELECT 1 + 2 * 3 - 4 / 2, 2 ^ 10, 7 % 3, 'a' || 'b', 5 BETWEEN 1 AND 10",
        "SELECT current_setting('server_version_num')::int > 0",
        "SELECT format('%s has %s', owner, balance) FROM accounts",
        "(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1",
        "TABLE accounts",
    ];

    /// <summary>(class, index into <see cref="Attacks"/>, a short preview for the test's name).</summary>
    public static TheoryData<string, int, string> AttackData()
    {
        var data = new TheoryData<string, int, string>();
        for (var i = 0; i < Attacks.Length; i++)
        {
            data.Add(Attacks[i].Class, i, Preview(Attacks[i].Sql));
        }

        return data;
    }

    public static string Preview(string sql) => sql.Length <= 80 ? sql : sql[..77] + "...";

    public static TheoryData<string> ValidReadData()
    {
        var data = new TheoryData<string>();
        foreach (var sql in ValidReads)
        {
            data.Add(sql);
        }

        return data;
    }
}
