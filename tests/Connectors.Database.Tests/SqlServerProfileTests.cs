using System.Net.Sockets;

namespace Connectors.Database.Tests;

/// <summary>SQL Server profiles without a SQL Server: provider choice, what a profile shows, and an unreachable server.</summary>
public sealed class SqlServerProfileTests
{
    private const string Password = "pw-Never-Shown-SqlServer-41b2";

    private static ProfileRegistry Registry(string connectionString, string? provider = null)
    {
        var options = new Dictionary<ConnectorOption, object?> { [DatabaseOptions.ConnectionString] = connectionString };
        if (provider is not null)
        {
            options[DatabaseOptions.Provider] = provider;
        }

        return ProfileRegistry.Create(ConnectorSettings.From(options));
    }

    [Theory]
    [InlineData("Server=db;Database=app;User ID=reader", DatabaseProvider.SqlServer)]
    [InlineData("Data Source=db,1433;Initial Catalog=app;Integrated Security=true", DatabaseProvider.SqlServer)]
    [InlineData("Server=tcp:db.example.com,1433;Database=app;TrustServerCertificate=True", DatabaseProvider.SqlServer)]
    [InlineData("Initial Catalog=app;Addr=db", DatabaseProvider.SqlServer)]
    [InlineData("Host=db;Database=app;Username=reader", DatabaseProvider.Postgres)]
    [InlineData("Host=db;Port=5432;Database=app", DatabaseProvider.Postgres)]
    [InlineData("Database=app", DatabaseProvider.Postgres)]
    public void The_provider_is_inferred_from_the_connection_strings_keywords(string connectionString, DatabaseProvider expected) =>
        Assert.Equal(expected, Registry(connectionString).Get(null).Provider);

    [Fact]
    public void A_named_provider_wins_and_a_mixed_connection_string_is_refused_rather_than_guessed()
    {
        Assert.Equal(DatabaseProvider.SqlServer, Registry("Server=db;Database=app", "sqlserver").Get(null).Provider);
        Assert.Equal(DatabaseProvider.Postgres, Registry("Server=db;Database=app", "postgres").Get(null).Provider);
        var mixed = Assert.Throws<ConnectorConfigurationException>(() => Registry("Host=db;Initial Catalog=app"));
        Assert.Contains("--provider", mixed.Message, StringComparison.Ordinal);
        var invalid = Assert.Throws<ConnectorConfigurationException>(() => Registry($"Server=db;Password={Password};Bogus Keyword=1", "sqlserver"));
        Assert.DoesNotContain(Password, invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sqlserver_profile_describes_server_database_user_and_read_only_intent_without_its_password()
    {
        var profile = Registry($"Server=replica,1433;Database=app;User ID=mcp_reader;Password={Password};ApplicationIntent=ReadOnly").Get(null);
        Assert.Equal(
            "default: sqlserver database 'app' on replica,1433 as 'mcp_reader', read-only intent (statement timeout 30 s, max rows 10,000)",
            profile.Describe());
        Assert.Contains("Intent=ReadOnly", profile.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Max Pool Size=10", profile.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_sqlserver_answers_upstream_unavailable_without_leaking_the_connection_string()
    {
        var connectionString = $"Server=tcp:127.0.0.1,{ClosedPort()};Database=app;User ID=mcp_reader;Password={Password};Connect Timeout=3;ConnectRetryCount=0;TrustServerCertificate=True";
        await using var mcp = await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", connectionString]);

        Assert.Contains("default: sqlserver database 'app' on tcp:127.0.0.1,", (await mcp.CallAsync("list_databases")).Text(), StringComparison.Ordinal);
        foreach (var (tool, arguments) in new (string, object?)[] { ("query", new { sql = "SELECT 1" }), ("list_tables", null), ("explain", new { sql = "SELECT 1" }) })
        {
            var result = await mcp.CallAsync(tool, arguments);
            Assert.Equal("upstream_unavailable", result.ErrorCode());
            Assert.Contains("Database 'default' is unavailable right now", result.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain(Password, result.Text(), StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", result.Text(), StringComparison.Ordinal);
        }

        Assert.Contains("is unavailable", mcp.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, mcp.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_TSql_guard_refuses_before_any_connection_is_tried()
    {
        var connectionString = $"Server=tcp:127.0.0.1,{ClosedPort()};Database=app;User ID=mcp_reader;Password={Password};Connect Timeout=3";
        await using var mcp = await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", connectionString]);

        var stacked = await mcp.CallAsync("query", new { sql = "SELECT 1; DROP TABLE dbo.accounts" });
        Assert.Equal("permission_denied", stacked.ErrorCode());
        var missingValue = await mcp.CallAsync("query", new { sql = "SELECT * FROM t WHERE id = @p1" });
        Assert.Equal("invalid_argument", missingValue.ErrorCode());
        Assert.Contains("@p1…@p1; give exactly 1 value(s) (got 0)", missingValue.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("is unavailable", mcp.Logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Active Directory Default")]
    [InlineData("Active Directory Managed Identity")]
    [InlineData("Active Directory Password")]
    [InlineData("Active Directory Service Principal")]
    public void Entra_ID_authentication_is_refused_when_the_profile_is_loaded_naming_what_to_use(string method)
    {
        var error = Assert.Throws<ConnectorConfigurationException>(() => Registry($"Server=db;Database=app;Authentication={method};User ID=app-id;Password={Password}"));
        Assert.Contains("Microsoft Entra ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("use a SQL login (User ID and Password) or Integrated Security", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.Equal(DatabaseProvider.SqlServer, Registry($"Server=db;Database=app;Authentication=Sql Password;User ID=u;Password={Password}").Get(null).Provider);
    }

    [Fact]
    public void Keywords_SqlClient_rejects_together_are_refused_when_the_profile_is_loaded()
    {
        var error = Assert.Throws<ConnectorConfigurationException>(() => Registry($"Server=db;Database=app;Integrated Security=true;Authentication=Sql Password;Password={Password}", "sqlserver"));
        Assert.Contains("check its keywords", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_globalization_invariant_mode_a_sqlserver_call_answers_upstream_unavailable_and_the_log_says_why()
    {
        // SqlClient needs ICU and refuses to open a connection without it; that must stay an answer, not a crash.
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var connectionString = $"Server=tcp:127.0.0.1,{ClosedPort()};Database=app;User ID=mcp_reader;Password={Password};Connect Timeout=3;ConnectRetryCount=0";
        await using var client = await ServerProcess.ConnectStdioAsync("Connectors.Database", [],
            new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1", ["CONNECTORS_DATABASE_CONNECTION_STRING"] = connectionString }, stderr.Enqueue);

        var result = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = "SELECT 1" });
        Assert.Equal("upstream_unavailable", result.ErrorCode());
        Assert.DoesNotContain(Password, result.Text(), StringComparison.Ordinal);
        await client.DisposeAsync();
        Assert.Contains(stderr, line => line.Contains("Globalization Invariant Mode", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(stderr, line => line.Contains(Password, StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        // A port that was free a moment ago and that nothing listens on: connecting to it is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
