using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Database;

/// <summary>Runs guarded statements on one engine: rows streamed into the shared result format, plans as readable trees.</summary>
public interface IQueryRunner
{
    Task<QueryAnswer> RunAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, int maxRows, string format, CancellationToken cancellationToken);

    Task<PlanAnswer> ExplainAsync(
        DatabaseProfile profile, GuardedStatement statement, IReadOnlyList<JsonElement> parameters, bool analyze, CancellationToken cancellationToken);

    /// <summary>A round trip through the engine fence, for /readyz.</summary>
    Task<bool> PingAsync(DatabaseProfile profile, CancellationToken cancellationToken);
}

/// <summary>The metadata reads of one engine, inside the same fence as every query.</summary>
public interface ISchemaCatalog
{
    /// <summary>Most tables list_tables shows (one more is read to know there are others).</summary>
    public const int MaxTables = 1_000;

    Task<List<SchemaRow>> SchemasAsync(DatabaseProfile profile, CancellationToken cancellationToken);

    Task<List<TableRow>> TablesAsync(DatabaseProfile profile, string? schema, CancellationToken cancellationToken);

    /// <summary>Everything describe_table shows, or null when no such table is visible.</summary>
    Task<TableDescription?> DescribeAsync(DatabaseProfile profile, string? schema, string table, CancellationToken cancellationToken);
}

/// <summary>
/// The provider classes of a profile's engine, registered per engine as keyed services (<see cref="DatabaseProvider"/>):
/// SQL Server's only in a build that has it (<see cref="SqlServerSupport"/>), so nothing else names them.
/// </summary>
public sealed class DatabaseProviders(IServiceProvider services)
{
    public IQueryRunner Query(DatabaseProfile profile) => services.GetRequiredKeyedService<IQueryRunner>(profile.Provider);

    public ISchemaCatalog Catalog(DatabaseProfile profile) => services.GetRequiredKeyedService<ISchemaCatalog>(profile.Provider);
}
