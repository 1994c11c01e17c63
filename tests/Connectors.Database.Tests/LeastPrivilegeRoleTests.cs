using System.Text.RegularExpressions;
using Connectors.Database.Postgres;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;
using Connectors.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Connectors.Database.Tests;

/// <summary>The README's least-privilege role, created exactly as documented, reads and can do nothing else even without the parser layer.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class LeastPrivilegeRoleTests(PostgresCluster cluster)
{

    [Fact]
    public async Task The_documented_read_only_role_can_read_and_nothing_else()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(NodeTools.RepositoryRoot(), "servers", "Connectors.Database", "README.md"));
        var script = SqlBlock().Match(readme[readme.IndexOf("## A least-privilege role", StringComparison.Ordinal)..]).Groups[1].Value
            .Replace("DATABASE app", $"DATABASE {PostgresCluster.Database}", StringComparison.Ordinal)
            .Replace("'…'", "'unused-with-trust-auth'", StringComparison.Ordinal);
        await using (var admin = await cluster.OpenAdminAsync())
        {
            foreach (var statement in Statements(script).Prepend("DROP ROLE IF EXISTS mcp_reader"))
            {
                await using var command = new NpgsqlCommand(statement, admin);
                await command.ExecuteNonQueryAsync();
            }
        }

        var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Username = "mcp_reader" }.ConnectionString;
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

    private static IEnumerable<string> Statements(string script) =>
        string.Join('\n', script.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
