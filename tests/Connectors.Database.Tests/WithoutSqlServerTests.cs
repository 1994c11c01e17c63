using System.Diagnostics;

namespace Connectors.Database.Tests;

/// <summary>
/// The Native AOT build has no SQL Server: it sets the <c>Connectors.Database.SqlServer</c> switch to false (the trimmer
/// then removes SqlClient). This runs the built server with that switch set in its runtime configuration, as the native
/// binary has it: a SQL Server profile stops it at start-up, naming the build to run instead; PostgreSQL still serves.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WithoutSqlServerTests(DatabaseCluster cluster)
{
    [Fact]
    public async Task A_SQL_Server_profile_stops_the_server_at_start_up_and_names_the_framework_dependent_build()
    {
        var (exitCode, _, stderr) = await RunWithoutSqlServerAsync([], new Dictionary<string, string>
        {
            ["CONNECTORS_DATABASE_CONNECTION_STRING"] = $"Server=erp-replica,1433;Database=erp;User ID=mcp_reader;Password={PostgresCluster.Password}",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("Database profile 'default' is a SQL Server database", stderr, StringComparison.Ordinal);
        Assert.Contains("eng/publish.sh --r2r database DIR", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_sqlserver_profile_beside_a_PostgreSQL_one_is_refused_by_name()
    {
        var config = Path.Combine(Path.GetTempPath(), $"connectors-db-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["databases"] = new JsonObject
            {
                ["app"] = new JsonObject { ["connectionString"] = cluster.ConnectionString },
                ["erp"] = new JsonObject { ["provider"] = "sqlserver", ["connectionString"] = "Server=erp;Database=erp;Integrated Security=true" },
            },
        }.ToJsonString());
        try
        {
            var (exitCode, _, stderr) = await RunWithoutSqlServerAsync(["--config", config]);
            Assert.Equal(2, exitCode);
            Assert.Contains("Database profile 'erp' is a SQL Server database", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task PostgreSQL_profiles_pass_doctor_without_SQL_Server_support()
    {
        var (exitCode, stdout, _) = await RunWithoutSqlServerAsync(["doctor"], new Dictionary<string, string>
        {
            ["CONNECTORS_DATABASE_CONNECTION_STRING"] = cluster.ConnectionString,
        });

        Assert.True(exitCode == 0, stdout);
        Assert.Contains("doctor: ready to serve", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the built server to its exit with the switch off in a copy of its runtime configuration.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithoutSqlServerAsync(
        string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = ServerProcess.ServerDll("Connectors.Database");
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(dll, ".runtimeconfig.json")))!;
        var runtimeOptions = runtimeConfig["runtimeOptions"]!.AsObject();
        if (runtimeOptions["configProperties"] is not JsonObject properties)
        {
            runtimeOptions["configProperties"] = properties = [];
        }

        properties[SqlServerSupport.Switch] = false;
        var configPath = Path.Combine(Path.GetTempPath(), $"connectors-db-{Guid.NewGuid():N}.runtimeconfig.json");
        await File.WriteAllTextAsync(configPath, runtimeConfig.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["exec", "--runtimeconfig", configPath, dll, .. args])
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            File.Delete(configPath);
        }
    }
}
