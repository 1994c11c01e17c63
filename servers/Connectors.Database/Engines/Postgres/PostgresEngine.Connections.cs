using System.Data;
using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Connectors.Database.Postgres;

/// <summary>How the fence gets its connection: the data source with the type support the server needs, and one retry on a fresh connection when the connection, not the statements, failed.</summary>
public sealed partial class PostgresEngine
{
    /// <summary>
    /// A profile's data source: Npgsql's slim builder, which leaves out the mappings that need reflection or run-time code
    /// (dynamic JSON to .NET types, unmapped enums, records as tuples; Native AOT keeps none of them), with the full
    /// builder's other type families, so a value of any type reads as the same .NET value, a query shows it the same way and
    /// a parameter binds to the same PostgreSQL type (tests compare the two builders): arrays, ranges, multiranges, records,
    /// json, full-text search, network, geometric, ltree and cube types; TLS and Kerberos (GSSAPI) logins. Extra conversions
    /// (reading a value as another .NET type than its own) are left out: nothing here reads that way, and the slim builder
    /// would put them ahead of the default mappings, where they bind a string[] parameter as bit[].
    /// </summary>
    internal static NpgsqlDataSource BuildDataSource(string connectionString) => new NpgsqlSlimDataSourceBuilder(connectionString)
        .EnableArrays()
        .EnableRanges()
        .EnableMultiranges()
        .EnableRecords()
        .EnableJsonTypes()
        .EnableFullTextSearch()
        .EnableNetworkTypes()
        .EnableGeometricTypes()
        .EnableLTree()
        .EnableCube()
        .EnableTransportSecurity()
        .EnableIntegratedSecurity()
        .Build();

    /// <summary>
    /// One more try on a fresh connection when the connection failed, not the statements: the open failed, or a pooled
    /// connection had died with the server (a restart nobody noticed, or one that told each connection it was ending).
    /// Nothing has been read yet, and whatever reached the server ran read-only and was rolled back. An error the server
    /// reported about the statements is never retried.
    /// </summary>
    private static readonly ResiliencePipeline FreshConnectionRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            ShouldHandle = args => ValueTask.FromResult(ConnectionLost(args.Outcome.Exception) && !args.Context.CancellationToken.IsCancellationRequested),
        })
        .Build();

    /// <summary>
    /// The connection, not the statements, failed: no answer from the server at all, or the server ending the session
    /// (57P01 on a fast shutdown — pg_ctl -m fast, docker stop, a pod restart — and 57P02 on a crash of another backend).
    /// </summary>
    private static bool ConnectionLost(Exception? exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        NpgsqlException => true,
        _ => false,
    };

    private static ValueTask<(NpgsqlConnection, NpgsqlBatch, NpgsqlDataReader)> OpenFencedAsync(
        DatabaseProfile profile, ProfileState state, Func<IEnumerable<NpgsqlBatchCommand>> statements, bool rollbackInBatch, CancellationToken cancellationToken) =>
        FreshConnectionRetry.ExecuteAsync(async ct =>
        {
            var connection = state.Source.CreateConnection();
            NpgsqlBatch? batch = null;
            try
            {
                await connection.OpenAsync(ct);
                if (!state.FenceVerified)
                {
                    await VerifyStackedStatementsRefusedAsync(connection, ct);
                    state.FenceVerified = true;
                }

                batch = FenceBatch(connection, profile);
                foreach (var statement in statements())
                {
                    batch.BatchCommands.Add(statement);
                }

                if (rollbackInBatch)
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("ROLLBACK"));
                }

                var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
                return (connection, batch, reader);
            }
            catch (Exception ex)
            {
                await DisposeAsync(batch, connection);
                if (ConnectionLost(ex))
                {
                    state.Source.Clear(); // the pool's other idle connections are likely dead too
                }

                throw;
            }
        }, cancellationToken);
}
