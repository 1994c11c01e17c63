using System.Runtime.CompilerServices;
using Connectors.Database.Postgres;
using Connectors.Database.SqlServer;
using Connectors.Database.Tools;
using Connectors.Hosting;
using Connectors.Hosting.Diagnostics;
using Connectors.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Connectors.Database;

/// <summary>The database server's definition: its options and profiles, its two guard layers, its tools.</summary>
public static class DatabaseServer
{
    public static ConnectorServer Create()
    {
        PostgresEngine.DisableSqlRewriting();
        var server = new ConnectorServer("connectors-database", "Read-only SQL on PostgreSQL and SQL Server that cannot be talked into writing.")
        {
            Instructions = "Explore with list_schemas, list_tables and describe_table before writing SQL. query runs one read-only " +
                "statement in the profile's dialect (list_databases shows postgres or sqlserver): PostgreSQL SELECT, WITH, VALUES, EXPLAIN, " +
                "SHOW with $1… parameters; SQL Server one SELECT with @p1… parameters. Results are capped, so filter and aggregate " +
                "in SQL. Name a profile with 'database' when list_databases shows more than one.",
            ConfigSections = { DatabaseOptions.ProfilesSection },
        };
        foreach (var option in DatabaseOptions.All)
        {
            server.Options.Add(option);
        }

        server.ConfigureServices((services, settings) =>
        {
            var profiles = ProfileRegistry.Create(settings);
            if (profiles.All.Any(p => p.Provider == DatabaseProvider.Postgres))
            {
                PgQueryNative.EnsureAvailable();
            }

            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton(profiles);
            services.AddSingleton<PostgresEngine>();
            services.AddSingleton<FunctionCatalog>();
            services.AddSingleton<SqlGuard>();
            services.AddKeyedSingleton<IQueryRunner, PostgresQuery>(DatabaseProvider.Postgres);
            services.AddKeyedSingleton<ISchemaCatalog, PostgresCatalog>(DatabaseProvider.Postgres);
            if (SqlServerSupport.IsEnabled)
            {
                services.AddSingleton<SqlServerEngine>();
                services.AddKeyedSingleton<IQueryRunner, SqlServerQuery>(DatabaseProvider.SqlServer);
                services.AddKeyedSingleton<ISchemaCatalog, SqlServerCatalog>(DatabaseProvider.SqlServer);
            }

            services.AddSingleton<DatabaseProviders>();
            // The ping is tagged ready (/readyz); the role and parser checks are untagged: only doctor runs them.
            var checks = services.AddHealthChecks();
            foreach (var profile in profiles.All)
            {
                checks.AddAsyncCheck($"database {profile.Name}", async (provider, ct) =>
                    await provider.GetRequiredService<DatabaseProviders>().Query(profile).PingAsync(profile, ct)
                        ? HealthCheckResult.Healthy("reachable")
                        : HealthCheckResult.Unhealthy("unreachable (the server log has the details)"), [ConnectorHealth.Ready]);
                if (profile.Provider == DatabaseProvider.Postgres)
                {
                    checks.AddAsyncCheck($"role {profile.Name}", (provider, ct) =>
                        PostgresRoleCheck.CheckAsync(provider.GetRequiredService<PostgresEngine>(), profile, ct));
                }
            }

            if (profiles.All.Any(p => p.Provider == DatabaseProvider.Postgres))
            {
                checks.AddCheck("sql guard", () =>
                    PgQueryNative.Parse("SELECT 1").TreeJson is not null
                        ? HealthCheckResult.Healthy("PostgreSQL's parser (libpg_query) loaded and parses")
                        : HealthCheckResult.Unhealthy("libpg_query loaded but did not parse a plain SELECT"));
            }

            if (ConnectorTelemetry.IsExportConfigured(settings))
            {
                AddNpgsqlTelemetry(services);
            }
        });
        server.ConfigureMcp((mcp, _) => mcp
            .WithCompactTools<DatabaseTools>(TypedResults.SerializerOptions(DatabaseJsonContext.Default))
            .WithResources<DatabaseResources>()
            .WithPrompts<DatabasePrompts>()
            .WithCompleteHandler(DatabaseCompletions.CompleteAsync));
        return server;
    }

    /// <summary>
    /// Npgsql's command spans (children of the tools/call span) and its connection-pool metrics, exported with the host's.
    /// A separate method so the OpenTelemetry assemblies load only when export is on.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddNpgsqlTelemetry(IServiceCollection services) => services
        .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql())
        .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddNpgsqlInstrumentation());
}
