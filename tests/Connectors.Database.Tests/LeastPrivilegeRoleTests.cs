using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Database.Tests;

/// <summary>The README's least-privilege role, created exactly as documented, reads and can do nothing else even without the parser layer.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class LeastPrivilegeRoleTests(DatabaseCluster cluster)
{

    [Fact]
    public async Task The_documented_read_only_role_can_read_and_nothing_else()
    {
        var connectionString = await CreateDocumentedRoleAsync();
        await using (var mcp = await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", connectionString]))
        {
            var read = await mcp.CallAsync("query", new { sql = "SELECT count(*) AS n FROM accounts", format = "csv" });
            Assert.Equal("n\n4\n", read.Text());
        }

        // The parser layer bypassed: the role itself refuses files, signals to other sessions, and functions that write.
        await using var victim = await cluster.OpenAdminAsync();
        await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", victim);
        string[] forbidden = ["SELECT pg_read_file('/etc/passwd')", $"SELECT pg_terminate_backend({await pid.ExecuteScalarAsync()})", "SELECT bump_balances()"];
        var before = await cluster.FingerprintAsync();
        await using var engine = new PostgresEngine(NullLogger<PostgresEngine>.Instance);
        var profile = ProfileRegistry.Create(ConnectorSettings.From(new Dictionary<ConnectorOption, object?> { [DatabaseOptions.ConnectionString] = connectionString })).Get(null);
        foreach (var sql in forbidden)
        {
            var error = await Assert.ThrowsAsync<ConnectorException>(() => engine.ReadAsync(profile, async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand(sql, connection);
                return await command.ExecuteScalarAsync(ct);
            }, CancellationToken.None));
            Assert.Equal(ErrorCodes.PermissionDenied, error.Code);
        }

        Assert.Equal(before, await cluster.FingerprintAsync());
        Assert.NotNull(await pid.ExecuteScalarAsync());
    }

    /// <summary>Creates the README's role exactly as documented; returns a connection string that logs in as it.</summary>
    private async Task<string> CreateDocumentedRoleAsync()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(NodeTools.RepositoryRoot(), "servers", "Connectors.Database", "README.md"));
        var script = SqlBlock().Match(readme[readme.IndexOf("## A least-privilege role", StringComparison.Ordinal)..]).Groups[1].Value
            .Replace("DATABASE app", $"DATABASE {cluster.Database}", StringComparison.Ordinal)
            .Replace("'…'", "'unused-with-trust-auth'", StringComparison.Ordinal);
        await using (var admin = await cluster.OpenAdminAsync())
        {
            // Each test starts from the documented script: drop what an earlier run granted, then the role.
            const string dropEarlier = "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mcp_reader') THEN " +
                "EXECUTE 'DROP OWNED BY mcp_reader'; EXECUTE 'DROP ROLE mcp_reader'; END IF; END $$";
            foreach (var statement in Statements(script).Prepend(dropEarlier))
            {
                await using var command = new NpgsqlCommand(statement, admin);
                await command.ExecuteNonQueryAsync();
            }
        }

        return new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Username = "mcp_reader" }.ConnectionString;
    }

    [Trait("Category", "ServerProcess")]
    [Fact]
    public async Task Doctor_passes_the_documented_role_and_warns_about_one_that_can_write()
    {
        var reader = await CreateDocumentedRoleAsync();
        var admin = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = cluster.Database }.ConnectionString;

        var good = await ServerProcess.RunToExitAsync("Connectors.Database", ["doctor"], new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = reader });
        var powerful = await ServerProcess.RunToExitAsync("Connectors.Database", ["doctor"], new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = admin });

        Assert.Equal(0, good.ExitCode);
        TextAssert.ContainsAll(
            good.Stdout,
            "ok   database default: reachable",
            "ok   role default: role 'mcp_reader' cannot write",
            "ok   sql guard: PostgreSQL's parser (libpg_query) loaded");
        Assert.Equal(0, powerful.ExitCode); // still fenced: a warning, not a failure
        Assert.Contains("warn role default: role 'postgres' is a superuser", powerful.Stdout, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Statements(string script) =>
        string.Join('\n', script.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
