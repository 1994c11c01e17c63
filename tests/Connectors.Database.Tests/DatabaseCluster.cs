namespace Connectors.Database.Tests;

/// <summary>The shared throwaway cluster, plus one in-process database server on it for the tests that need no special options.</summary>
public sealed class DatabaseCluster : PostgresCluster
{
    private InMemoryMcp? _mcp;

    // The same driver mode as the in-process server, set before this process first uses Npgsql (the driver reads it once).
    public DatabaseCluster() => PostgresEngine.DisableSqlRewriting();

    /// <summary>One server shared by the tests that need no special options; its pool is reused across calls, as in production.</summary>
    public async Task<InMemoryMcp> SharedServerAsync() =>
        _mcp ??= await InMemoryMcp.StartAsync(DatabaseServer.Create(), ["--connection-string", ConnectionString]);

    public override async ValueTask DisposeAsync()
    {
        if (_mcp is not null)
        {
            await _mcp.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

// A collection fixture rather than an assembly fixture: OperationsTests stops and restarts the cluster and the attack
// tests compare fingerprints of the whole database, so every class that uses it must run in this one serial collection;
// xunit refuses a class outside the collection that asks for the cluster.
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<DatabaseCluster>
{
    public const string Name = "postgres";
}
