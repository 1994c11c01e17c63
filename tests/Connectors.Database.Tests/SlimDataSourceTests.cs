namespace Connectors.Database.Tests;

/// <summary>
/// The server reads PostgreSQL through Npgsql's slim data source builder (the full one needs reflection, which Native AOT
/// does not keep). Every type family a query can return must still read as the full builder reads it, so the answer shows
/// each value exactly as before: this reads one value of each through the server's cell writer with both builders.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SlimDataSourceTests(DatabaseCluster cluster)
{
    private const string TypesDatabase = "connectors_types";

    // One value per type family: core, text, binary, dates and times, json, network, bit strings, full-text search,
    // geometric, ranges and multiranges, records, arrays of each kind, system types, extension types, enum, composite.
    private static readonly string[] s_values =
    [
        "1::int2", "1::int4", "1::int8", "1.5::float4", "1.5::float8", "1.5::numeric", "12.34::money", "true",
        "'t'::text", "'v'::varchar(3)", "'c'::char(2)", "'n'::name", "'x'::\"char\"", "'\\xdead'::bytea", "'c1'::refcursor",
        "date '2024-02-29'", "time '13:14:15.5'", "timetz '13:14:15+02'", "timestamp '2024-02-29 13:14:15.5'",
        "timestamptz '2024-02-29 13:14:15+00'", "interval '1 day 02:03:04.5'", "interval '1 mon'",
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "'{\"a\": [1, \"é\"]}'::json", "'{\"a\": 1}'::jsonb", "'$.a'::jsonpath", "'<a/>'::xml",
        "'10.0.0.1/8'::inet", "'10.0.0.0/8'::cidr", "'08:00:2b:01:02:03'::macaddr", "'08:00:2b:01:02:03:04:05'::macaddr8",
        "B'101'", "B'101'::varbit", "'a fat cat'::tsvector", "'fat & cat'::tsquery",
        "point(1, 2)", "'{1, 2, 3}'::line", "'[(0,0),(1,1)]'::lseg", "box(point(0, 0), point(1, 1))", "'[(0,0),(1,1)]'::path",
        "'((0,0),(1,1),(1,0))'::polygon", "circle(point(0, 0), 1)",
        "int4range(1, 5)", "int8range(1, 5)", "numrange(1.5, 2.5)", "tsrange('2024-01-01', '2024-02-01')",
        "tstzrange('2024-01-01', '2024-02-01')", "daterange('2024-01-01', '2024-02-01')", "'{[1,3), [5,7)}'::int4multirange",
        "'{[2024-01-01,2024-02-01)}'::datemultirange", "ROW(1, 'a', NULL)", "ROW(1, ROW(2, 'b'))",
        "ARRAY[1, 2]", "ARRAY[1, NULL]", "ARRAY[[1, 2], [3, 4]]", "ARRAY['a', NULL]", "ARRAY[1.5, 2]::numeric[]", "ARRAY[true]",
        "ARRAY[date '2024-01-01']", "ARRAY[timestamptz '2024-01-01 00:00+00']", "ARRAY[interval '1 hour']", "ARRAY['\\x01'::bytea]",
        "ARRAY['{\"a\": 1}'::json]", "ARRAY['{\"a\": 1}'::jsonb]", "ARRAY['10.0.0.1'::inet]", "ARRAY[point(1, 2)]",
        "ARRAY[int4range(1, 2)]", "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]", "ARRAY[ROW(1, 'a')]", "ARRAY[B'1']",
        "123::oid", "'pg_class'::regclass", "'int4'::regtype", "'1'::xid", "'1'::xid8", "'(0,1)'::tid", "'0/16B3748'::pg_lsn",
        "'10:20:10,14,15'::pg_snapshot", "'1 2'::int2vector", "'1 2'::oidvector",
        "'happy'::mood", "ARRAY['happy'::mood]", "ROW(1, 'a')::pair", "NULL::int4",
    ];

    // Extension types, each read only where the server has the extension available.
    private static readonly (string Extension, string[] Values)[] s_extensionValues =
    [
        ("hstore", ["'a=>1, b=>NULL'::hstore", "ARRAY['a=>1'::hstore]"]),
        ("ltree", ["'a.b'::ltree", "'a.*'::lquery", "'a & b'::ltxtquery"]),
        ("cube", ["cube(1, 2)", "cube(ARRAY[1, 2])"]),
        ("citext", ["'Ab'::citext", "ARRAY['Ab'::citext]"]),
    ];

    [Fact]
    public async Task The_slim_data_source_shows_every_type_as_the_full_builder_does()
    {
        var admin = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = "postgres" };
        await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {TypesDatabase} WITH (FORCE)", $"CREATE DATABASE {TypesDatabase}");
        try
        {
            var types = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = TypesDatabase };
            var values = new List<string>(s_values);
            foreach (var (extension, extensionValues) in s_extensionValues)
            {
                if (await ExtensionAvailableAsync(types.ConnectionString, extension))
                {
                    await ExecuteAsync(types.ConnectionString, $"CREATE EXTENSION {extension}");
                    values.AddRange(extensionValues);
                }
            }

            await ExecuteAsync(types.ConnectionString,
                "CREATE TYPE mood AS ENUM ('sad', 'happy')", "CREATE TYPE pair AS (n int, t text)");

            await using var full = new NpgsqlDataSourceBuilder(types.ConnectionString).Build();
            await using var slim = PostgresEngine.BuildDataSource(types.ConnectionString);
            var expected = await ShowAllAsync(full, values);
            var actual = await ShowAllAsync(slim, values);

            Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
            // The comparison means something only if most values are shown rather than refused by both.
            Assert.True(expected.Count(line => !line.Contains("not shown", StringComparison.Ordinal)) > values.Count * 3 / 4, string.Join('\n', expected));
        }
        finally
        {
            await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {TypesDatabase} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task Parameters_bind_to_the_same_PostgreSQL_types_as_with_the_full_builder()
    {
        // What the server binds (query params as untyped text, catalog names as text and text[]), then common .NET types.
        NpgsqlParameter[] parameters =
        [
            new() { Value = "42", NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Unknown }, new() { Value = "x", NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
            new() { Value = new[] { "a", "b" } }, new() { Value = "text" }, new() { Value = 1L }, new() { Value = 1 }, new() { Value = (short)1 },
            new() { Value = 1.5m }, new() { Value = 1.5 }, new() { Value = 1.5f }, new() { Value = true }, new() { Value = 'c' },
            new() { Value = new DateTime(2024, 2, 29, 1, 2, 3, DateTimeKind.Utc) }, new() { Value = new DateTime(2024, 2, 29, 1, 2, 3, DateTimeKind.Unspecified) },
            new() { Value = new DateTimeOffset(2024, 2, 29, 1, 2, 3, TimeSpan.Zero) }, new() { Value = new DateOnly(2024, 2, 29) },
            new() { Value = new TimeOnly(1, 2, 3) }, new() { Value = TimeSpan.FromHours(26) }, new() { Value = Guid.Empty },
            new() { Value = new byte[] { 1, 2 } }, new() { Value = new[] { 1, 2 } }, new() { Value = new[] { 1L, 2L } }, new() { Value = new[] { 1.5m } },
            new() { Value = new[] { true } }, new() { Value = new[] { 1.5 } }, new() { Value = new[] { Guid.Empty } },
            new() { Value = new[] { new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc) } }, new() { Value = System.Net.IPAddress.Loopback },
            new() { Value = new NpgsqlTypes.NpgsqlPoint(1, 2) }, new() { Value = new NpgsqlTypes.NpgsqlRange<int>(1, 3) },
            new() { Value = new System.Collections.BitArray(2) { [0] = true } }, new() { Value = System.Text.Json.JsonDocument.Parse("{\"a\":1}") },
            new() { Value = DBNull.Value },
        ];

        await using var full = new NpgsqlDataSourceBuilder(cluster.AdminConnectionString).Build();
        await using var slim = PostgresEngine.BuildDataSource(cluster.AdminConnectionString);
        Assert.Equal(string.Join('\n', await BindAllAsync(full, parameters)), string.Join('\n', await BindAllAsync(slim, parameters)));
    }

    /// <summary>The PostgreSQL type and text each parameter arrives as, or the exception binding it raised.</summary>
    private static async Task<List<string>> BindAllAsync(NpgsqlDataSource source, NpgsqlParameter[] parameters)
    {
        var bound = new List<string>();
        await using var connection = await source.OpenConnectionAsync();
        foreach (var parameter in parameters)
        {
            await using var command = new NpgsqlCommand("SELECT pg_typeof($1)::text || ' ' || coalesce($1::text, 'NULL')", connection) { Parameters = { parameter.Clone() } };
            try
            {
                bound.Add($"{parameter.Value?.GetType().Name}: {await command.ExecuteScalarAsync()}");
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                bound.Add($"{parameter.Value?.GetType().Name}: {ex.GetType().Name}");
            }
        }

        return bound;
    }

    /// <summary>Each value as the query tool's JSON answer shows it (one row, one column), or the exception it raised.</summary>
    private static async Task<List<string>> ShowAllAsync(NpgsqlDataSource source, IEnumerable<string> values)
    {
        var shown = new List<string>();
        var profile = new DatabaseProfile("types", DatabaseProvider.Postgres, "", new ProfileTarget("", "", "")) { MaxBytes = 64 * 1024 };
        await using var connection = await source.OpenConnectionAsync();
        foreach (var value in values)
        {
            await using var command = new NpgsqlCommand($"SELECT {value} AS v", connection);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
            await reader.ReadAsync();
            var result = new ResultBuilder(ResultBuilder.Json, profile.MaxBytes);
            result.SetColumns(RowStream.Columns(reader));
            try
            {
                result.BeginRow();
                await PostgresValues.WriteAsync(reader, 0, reader.GetDataTypeName(0), result, CancellationToken.None);
                result.EndRow();
                shown.Add($"{value}: {result.Finish(Stop.End, profile, "").Text}");
            }
            catch (Exception ex)
            {
                shown.Add($"{value}: {ex.GetType().Name}");
            }
        }

        return shown;
    }

    private static async Task<bool> ExtensionAvailableAsync(string connectionString, string extension)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_available_extensions WHERE name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = extension });
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
