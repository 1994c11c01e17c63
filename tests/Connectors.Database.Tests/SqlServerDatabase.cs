using System.Runtime.CompilerServices;
using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;

namespace Connectors.Database.Tests;

/// <summary>
/// A test that needs a real SQL Server: skipped, with the reason, when neither CONNECTORS_TEST_SQLSERVER nor
/// CONNECTORS_TEST_SQLSERVER_IMAGE is set.
/// </summary>
public sealed class SqlServerFactAttribute : FactAttribute
{
    public SqlServerFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        // Decided when the test runs, so the report shows it skipped with this reason.
        Skip = SqlServerDatabase.SkipReason;
        SkipUnless = nameof(SqlServerDatabase.Configured);
        SkipType = typeof(SqlServerDatabase);
    }
}

/// <summary>
/// The SQL Server named by CONNECTORS_TEST_SQLSERVER (a connection string of a login that may create a schema), else a
/// container of the SQL Server image CONNECTORS_TEST_SQLSERVER_IMAGE names (Testcontainers.MsSql, as sa), with a schema
/// of fixture tables the execution tests read and the attacks aim at. Does nothing when neither is set.
/// </summary>
public sealed class SqlServerDatabase : IAsyncLifetime
{
    public const string Variable = "CONNECTORS_TEST_SQLSERVER";
    public const string ImageVariable = "CONNECTORS_TEST_SQLSERVER_IMAGE";
    public const string Schema = "connectors_test";

    public static readonly string SkipReason =
        $"neither {Variable} (a connection string) nor {ImageVariable} (a SQL Server image for Testcontainers) is set: no SQL Server to run against (the T-SQL guard corpus runs without one).";

    private MsSqlContainer? _container;

    private static readonly string[] s_fixture =
    [
        $"IF SCHEMA_ID('{Schema}') IS NOT NULL BEGIN DROP TABLE IF EXISTS {Schema}.orders; DROP TABLE IF EXISTS {Schema}.accounts; DROP SEQUENCE IF EXISTS {Schema}.ids; DROP SCHEMA {Schema}; END",
        $"CREATE SCHEMA {Schema}",
        $"""
        CREATE TABLE {Schema}.accounts (
            id int NOT NULL CONSTRAINT pk_accounts PRIMARY KEY,
            owner nvarchar(100) NOT NULL,
            balance decimal(38, 10) NOT NULL CONSTRAINT df_balance DEFAULT 0,
            opened date NULL,
            photo varbinary(max) NULL,
            CONSTRAINT ck_balance CHECK (balance > -1000))
        """,
        $"CREATE TABLE {Schema}.orders (id int NOT NULL PRIMARY KEY, account_id int NOT NULL CONSTRAINT fk_orders_accounts REFERENCES {Schema}.accounts (id), total money NOT NULL)",
        $"CREATE SEQUENCE {Schema}.ids START WITH 1",
        $"""
        INSERT INTO {Schema}.accounts (id, owner, balance, opened, photo) VALUES
            (1, N'alice', 12345678901234567890.1234567890, '2024-02-29', 0x0102),
            (2, N'bob', 10.5, NULL, NULL), (3, N'carol', 0, '2020-01-01', NULL), (4, N'dave', -5, NULL, NULL), (5, N'eve', 1, NULL, NULL)
        """,
        $"INSERT INTO {Schema}.orders (id, account_id, total) VALUES (1, 1, 9.99), (2, 1, 20), (3, 2, 5)",
    ];

    public static bool Configured => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) || Image is not null;

    private static string? Image => Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : null;

    public string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured ? configured : _container?.GetConnectionString() ?? "";

    public async ValueTask InitializeAsync()
    {
        if (!Configured)
        {
            return;
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && Image is { } image)
        {
            TestcontainersDefaults.Apply();
            _container = new MsSqlBuilder(image).Build();
            await _container.StartAsync();
        }

        foreach (var statement in s_fixture)
        {
            await ExecuteAsync(statement);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
        else if (Configured)
        {
            await ExecuteAsync(s_fixture[0]);
        }
    }

    /// <summary>A value read outside the server under test, to check what attacks left behind.</summary>
    public async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new SqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new SqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
