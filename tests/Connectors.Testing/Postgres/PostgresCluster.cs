using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Connectors.Testing.Postgres;

/// <summary>
/// A real, throwaway PostgreSQL cluster for the whole test collection: the server named by CONNECTORS_TEST_POSTGRES (an
/// admin connection string); else a container of the image CONNECTORS_TEST_POSTGRES_IMAGE names (Testcontainers, where a
/// Docker engine runs: eng/test.sh sets it); else initdb into a temporary directory and pg_ctl on 127.0.0.1 with a free
/// port (as the postgres OS user when the tests run as root). The fixture database holds the tables the tests read and
/// the objects the attack corpus aims at. Each test project makes it a collection fixture (one cluster per test run).
/// </summary>
public class PostgresCluster : IAsyncLifetime
{
    public PostgresCluster()
        : this("connectors_test")
    {
    }

    /// <param name="database">
    /// The fixture database's name: test projects run side by side, and on a shared server (CONNECTORS_TEST_POSTGRES)
    /// each project needs its own, since a fixture drops and recreates it.
    /// </param>
    protected PostgresCluster(string database) => Database = database;

    public string Database { get; }

    // Never accepted by trust authentication, so it can only reach output through a leak.
    public const string Password = "pw-Never-Shown-7f3a9c";

    private static readonly string s_binaries = Environment.GetEnvironmentVariable("CONNECTORS_TEST_POSTGRES_BIN") ?? "/usr/lib/postgresql/15/bin";

    private string? _directory;
    private int _port;
    private PostgresContainer? _container;

    /// <summary>Connection string of a superuser on the fixture database: the worst case a server could be given.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Whether this fixture runs its own cluster (and so can stop and start it).</summary>
    public bool OwnsCluster => _directory is not null || _container is not null;

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("CONNECTORS_TEST_POSTGRES");
        string admin;
        if (!string.IsNullOrEmpty(external))
        {
            admin = external;
        }
        else if (PostgresContainer.Image is { } image)
        {
            _container = await PostgresContainer.StartAsync(image);
            admin = $"Host=127.0.0.1;Port={_container.Port};Username=postgres;Database=postgres;Pooling=false";
        }
        else
        {
            _directory = (await RunAsync("mktemp", "-d", "/tmp/connectors-pg-XXXXXX")).Trim();
            _port = FreePort();
            await RunAsync(Path.Combine(s_binaries, "initdb"), "-D", Path.Combine(_directory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions");
            await StartAsync();
            admin = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await Execute(connection, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
            await Execute(connection, $"CREATE DATABASE {Database}");
        }

        builder.Database = Database;
        AdminConnectionString = builder.ConnectionString;
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            foreach (var statement in s_fixture)
            {
                await Execute(connection, statement);
            }
        }

        builder.Password = Password;
        builder.Pooling = true;
        ConnectionString = builder.ConnectionString;
    }

    /// <summary>A superuser connection string that bypasses the server, for setting up and checking state.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Everything an attack could change, in one text: fixture rows, relations, sequences, large objects, roles, settings.</summary>
    public async Task<string> FingerprintAsync()
    {
        await using var connection = await OpenAdminAsync();
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws(' | ',
              (SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM accounts a),
              (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')),
              (SELECT last_value::text || ':' || is_called::text FROM account_ids),
              (SELECT count(*) FROM pg_largeobject_metadata),
              (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles),
              (SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension),
              (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
              (SELECT string_agg(setdatabase || ':' || array_to_string(setconfig, ';'), ',') FROM pg_db_role_setting),
              (SELECT count(*) FROM pg_prepared_xacts),
              (SELECT string_agg(grantee || ':' || privilege_type, ',' ORDER BY grantee, privilege_type) FROM information_schema.role_table_grants WHERE table_name = 'accounts'))
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Stops the server: abruptly by default (connections cut without a word, as a crash or a lost host does), or with
    /// <paramref name="fast"/> as an operator's restart does (pg_ctl -m fast, docker stop, a pod restart): every open
    /// connection is first told 57P01, "terminating connection due to administrator command".
    /// </summary>
    public async Task StopAsync(bool fast = false)
    {
        if (_container is not null)
        {
            await _container.StopAsync(fast);
            return;
        }

        await RunAsync(Path.Combine(s_binaries, "pg_ctl"), "-D", Path.Combine(_directory!, "data"), "-m", fast ? "fast" : "immediate", "-w", "stop");
    }

    public async Task StartAsync()
    {
        if (_container is not null)
        {
            await _container.StartAsync();
            return;
        }

        await RunAsync(Path.Combine(s_binaries, "pg_ctl"), "-D", Path.Combine(_directory!, "data"), "-l", Path.Combine(_directory!, "log"), "-w", "-t", "120",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory} -c fsync=off -c max_connections=60", "start");
    }

    public virtual async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_directory is not null)
        {
            try
            {
                await StopAsync();
            }
            finally
            {
                Directory.Delete(_directory, recursive: true);
            }
        }

        // xunit.v3's IAsyncLifetime is IAsyncDisposable, and this class is open to subclasses (CA1816).
        GC.SuppressFinalize(this);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a PostgreSQL tool, as the postgres OS user when we are root (initdb and postgres refuse root).</summary>
    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Environment.UserName == "root")
        {
            start.FileName = "runuser";
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    // One statement per command: SQL rewriting may be off in this process (an in-process server under test sets the switch).
    private static readonly string[] s_fixture =
    [
        """
        CREATE SEQUENCE account_ids START 100
        """,
        """
        CREATE TABLE accounts (id int PRIMARY KEY DEFAULT nextval('account_ids'), owner text NOT NULL, balance numeric(12,2) NOT NULL CHECK (balance >= 0))
        """,
        """
        COMMENT ON TABLE accounts IS 'Customer accounts'
        """,
        """
        COMMENT ON COLUMN accounts.owner IS 'Who holds the account'
        """,
        """
        INSERT INTO accounts (id, owner, balance) VALUES (1, 'ada', 100.50), (2, 'brian', 20), (3, 'chen', 0), (4, 'dana', 5000)
        """,
        """
        CREATE TABLE orders (id bigint PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id), placed_at timestamptz NOT NULL,
                             total numeric NOT NULL, tags text[] NOT NULL DEFAULT '{}', details jsonb NOT NULL DEFAULT '{}', note text)
        """,
        """
        CREATE INDEX orders_account ON orders (account_id, placed_at)
        """,
        """
        INSERT INTO orders
        SELECT g, 1 + g % 4, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', (g * 7 % 100) + 0.25,
               ARRAY['t' || g % 3, 'x'], jsonb_build_object('channel', CASE WHEN g % 2 = 0 THEN 'web' ELSE 'store' END, 'items', g % 5),
               CASE WHEN g % 10 = 0 THEN 'please DELETE me; DROP TABLE x' END
        FROM generate_series(1, 2000) g
        """,
        """
        CREATE TABLE types (i8 bigint, n numeric, f float8, b boolean, d date, ts timestamp, tstz timestamptz, j json, jb jsonb, arr int[], bin bytea, u uuid, t text)
        """,
        """
        INSERT INTO types VALUES (9007199254740993, 12345678901234567890.5, 1.5, true, '2024-02-29', '2024-02-29 13:14:15.123456',
                                  '2024-02-29 13:14:15+00', '{"a": [1, 2]}', '{"b": {"c": null}}', '{1,2,3}', decode(repeat('ab', 3000), 'hex'),
                                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'line1
        line2, "quoted" | piped')
        """,
        """
        CREATE TABLE big AS SELECT g AS id, md5(g::text) AS hash FROM generate_series(1, 20000) g
        """,
        """
        CREATE FUNCTION bump_balances() RETURNS int LANGUAGE sql VOLATILE AS 'UPDATE accounts SET balance = balance + 1 RETURNING 1'
        """,
        """
        CREATE FUNCTION sneaky_stable() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN UPDATE accounts SET balance = 0; RETURN 1; END $$
        """,
        """
        CREATE FUNCTION account_label(a accounts) RETURNS text LANGUAGE sql VOLATILE AS 'UPDATE accounts SET owner = ''pwned''; SELECT ''x'''
        """,
        """
        CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2'
        """,
        """
        CREATE FUNCTION write_op(a int, b int) RETURNS int LANGUAGE sql VOLATILE AS 'UPDATE accounts SET balance = 1; SELECT a + b'
        """,
        """
        CREATE OPERATOR <~~> (LEFTARG = int, RIGHTARG = int, FUNCTION = write_op)
        """,
        """
        CREATE PROCEDURE wipe() LANGUAGE sql AS 'DELETE FROM accounts'
        """,
        """
        CREATE FUNCTION sneaky_step(int, int) RETURNS int LANGUAGE sql VOLATILE AS 'UPDATE accounts SET owner = ''pwned''; SELECT $1 + $2'
        """,
        """
        CREATE AGGREGATE sneaky_sum(int) (SFUNC = sneaky_step, STYPE = int, INITCOND = '0')
        """,
        """
        CREATE SCHEMA sales
        """,
        """
        COMMENT ON SCHEMA sales IS 'Sales data'
        """,
        """
        CREATE VIEW sales.big_accounts AS SELECT * FROM accounts WHERE balance > 50
        """,
        """
        ANALYZE
        """,
    ];
}
