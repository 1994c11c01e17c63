namespace Connectors.Database.Tests;

/// <summary>
/// The exact answer text for a wide mix of PostgreSQL types and awkward values in every format, cut by rows and by bytes:
/// the formatting path is tuned for speed, and this keeps every byte of what clients see unchanged. To accept a reviewed
/// change, run with UPDATE_SNAPSHOTS=1 and read the diff of Snapshots/query-formats.txt.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ResultFormatSnapshotTests(DatabaseCluster cluster)
{
    internal const string WideQuery = """
        SELECT g AS id, g::smallint AS i2, (g * 1000000000000)::bigint AS i8,
          (CASE g WHEN 1 THEN 9007199254740993 WHEN 2 THEN -9007199254740991 ELSE -9223372036854775808 END)::bigint AS i8_edge,
          (g * 1.37)::numeric(12,2) AS amount,
          (CASE g WHEN 1 THEN 'NaN' WHEN 2 THEN '-0.000123' WHEN 3 THEN '123456789012345678901234567890.5' ELSE '0' END)::numeric AS n,
          (g / 3.0)::float8 AS f8, (g / 3.0)::real AS f4, (CASE g WHEN 2 THEN 'Infinity' WHEN 3 THEN '-0' ELSE 'NaN' END)::float8 AS f_edge,
          g % 2 = 0 AS b, date '2024-02-29' + g AS d, timestamp '2024-02-29 13:14:15.123456' + g * interval '1 hour' AS ts,
          timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute 0.5 second' AS tstz, timestamptz '2024-01-01 00:00:00+00' AS tstz_whole,
          time '13:14:15.5' AS tm, timetz '13:14:15+02' AS ttz, interval '02:03:04.5' * g AS iv, interval '1 mon 2 days' AS iv_months,
          ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd38' || lpad(g::text, 4, '0'))::uuid AS u,
          '{"a": [1, 2], "s": "x\"y"}'::json AS j, '{"b": {"c": null}}'::jsonb AS jb,
          ARRAY[g, NULL, 3] AS arr, ARRAY[['a', 'b'], ['c,"d"', 'e|f']] AS arr2, ARRAY[1.5, 2]::numeric[] AS arr_num,
          decode(repeat('de', g), 'hex') AS bin,
          CASE g WHEN 1 THEN E'line1\nline2, "quoted" | piped \\ back' WHEN 2 THEN E'tab\there\u0001ctl\r\n é ü 😀 </script>' WHEN 3 THEN '' END AS t,
          ('name' || g)::varchar(10) AS vc, 'x'::char(3) AS ch, 'x'::name AS nm, '192.168.0.1/24'::inet AS ip, B'1011' AS bits,
          'fat & rat'::tsquery AS q, point(1, 2) AS p, int4range(1, g + 1) AS r, xml '<a>1</a>' AS x, 123::oid AS o, NULL::text AS nothing
        FROM generate_series(1, 4) g
        """;

    [Fact]
    public async Task Every_format_answers_exactly_the_reviewed_text()
    {
        var mcp = await cluster.SharedServerAsync();
        await using var small = await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", cluster.ConnectionString, "--max-output-bytes", "2048"]);
        var actual = new System.Text.StringBuilder();
        foreach (var format in new[] { "json", "csv", "markdown" })
        {
            actual.Append("### ").Append(format).Append(", whole\n").Append((await mcp.CallAsync("query", new { sql = WideQuery, format })).Text()).Append('\n');
            actual.Append("### ").Append(format).Append(", max_rows 2\n").Append((await mcp.CallAsync("query", new { sql = WideQuery, format, max_rows = 2 })).Text()).Append('\n');
            actual.Append("### ").Append(format).Append(", 2048-byte budget\n")
                .Append((await small.CallAsync("query", new { sql = "SELECT * FROM big ORDER BY id", format, max_rows = 1000 })).Text()).Append('\n');
            actual.Append("### ").Append(format).Append(", SHOW (no cursor)\n").Append((await mcp.CallAsync("query", new { sql = "SHOW DateStyle", format })).Text()).Append('\n');
        }

        var source = Path.Combine(NodeTools.RepositoryRoot(), "tests", "Connectors.Database.Tests", "Snapshots", "query-formats.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(source, actual.ToString());
        }

        Assert.Equal(await File.ReadAllTextAsync(source), actual.ToString());
    }
}
