using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Connectors.Database.Postgres;

/// <summary>
/// The second guard layer, the engine fence, independent of the parser: SQL rewriting is off (one statement per protocol
/// message, so PostgreSQL itself refuses stacked statements); every call runs in <c>BEGIN READ ONLY</c> with
/// <c>SET LOCAL</c> statement, lock and idle timeouts and is always rolled back; pooled connections are reset when
/// returned. It also turns driver and server errors into tool errors that never show connection details.
/// </summary>
public sealed partial class PostgresEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ProfileState> _states = new(StringComparer.Ordinal);
    private readonly ILogger<PostgresEngine> _logger;

    /// <summary>How often a running statement checks that its client is still connected.</summary>
    internal const int ConnectionCheckMilliseconds = 1000;

    public PostgresEngine(ILogger<PostgresEngine> logger) => _logger = logger;

    /// <summary>
    /// Turns Npgsql's SQL rewriting off: each command is then one extended-protocol statement, and PostgreSQL itself refuses
    /// ';'-stacked commands. Npgsql reads the switch once, so this must run before the process first uses a command;
    /// <see cref="ReadAsync{T}"/> verifies it took effect before the first call of each profile.
    /// </summary>
    public static void DisableSqlRewriting() => AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);

    /// <summary>Runs <paramref name="work"/> inside the fence: a read-only transaction that is always rolled back.</summary>
    public Task<T> ReadAsync<T>(DatabaseProfile profile, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        FencedAsync(profile, NoStatements, rollbackInBatch: false, queryErrors: null, async (connection, reader, ct) =>
        {
            // The fence alone answers no rows; the reader must be closed before the work's own commands.
            await reader.DisposeAsync();
            return await work(connection, ct);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="statements"/> inside the fence in a single round trip: one batch carries BEGIN READ ONLY, the
    /// SET LOCAL timeouts, the statements and ROLLBACK. <paramref name="read"/> gets the reader on the statements' first result
    /// set and no connection, so nothing can run after the rollback. Should the batch stop early (an error, a cancellation),
    /// the ROLLBACK is sent on its own, as in <see cref="ReadAsync{T}"/>.
    /// </summary>
    /// <param name="statements">Makes the statements; called again (with fresh parameters) when a dead pooled connection is replaced.</param>
    /// <param name="queryErrors">Turns errors about the statements into tool errors (null: the fence's own mapping decides).</param>
    public Task<T> ReadBatchAsync<T>(
        DatabaseProfile profile, Func<IEnumerable<NpgsqlBatchCommand>> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        Func<PostgresException, ConnectorException?>? queryErrors, CancellationToken cancellationToken) =>
        FencedAsync(profile, statements, rollbackInBatch: true, queryErrors, (_, reader, ct) => read(reader, ct), cancellationToken);

    /// <summary>
    /// As <see cref="ReadBatchAsync{T}"/>, but the transaction stays open after the batch: <paramref name="read"/> also gets
    /// the connection, to send further statements in the same fenced transaction (a cursor's next FETCH), and the fence rolls
    /// back afterwards.
    /// </summary>
    public Task<T> ReadBatchThenContinueAsync<T>(
        DatabaseProfile profile, Func<IEnumerable<NpgsqlBatchCommand>> statements, Func<NpgsqlConnection, NpgsqlDataReader, CancellationToken, Task<T>> read,
        Func<PostgresException, ConnectorException?>? queryErrors, CancellationToken cancellationToken) =>
        FencedAsync(profile, statements, rollbackInBatch: false, queryErrors, read, cancellationToken);

    private static IEnumerable<NpgsqlBatchCommand> NoStatements() => [];

    private async Task<T> FencedAsync<T>(
        DatabaseProfile profile, Func<IEnumerable<NpgsqlBatchCommand>> statements, bool rollbackInBatch,
        Func<PostgresException, ConnectorException?>? queryErrors, Func<NpgsqlConnection, NpgsqlDataReader, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken)
    {
        var state = State(profile);
        if (!await state.Slots.WaitAsync(EngineErrors.PoolWait, cancellationToken))
        {
            throw EngineErrors.Busy(profile);
        }

        try
        {
            var (connection, batch, reader) = await OpenFencedAsync(profile, state, statements, rollbackInBatch, cancellationToken);
            await using (connection)
            await using (batch)
            {
                var rolledBack = false;
                try
                {
                    T result;
                    await using (reader)
                    {
                        result = await work(connection, reader, cancellationToken);
                    }

                    // Closing the reader read the batch to its end without an error, so its ROLLBACK ran.
                    rolledBack = rollbackInBatch;
                    return result;
                }
                finally
                {
                    if (!rolledBack)
                    {
                        await RollbackQuietlyAsync(connection);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or SocketException)
        {
            throw Translate(profile, state, ex, queryErrors);
        }
        finally
        {
            state.Slots.Release();
        }
    }

    /// <summary>A round trip through the fence, for /readyz.</summary>
    public async Task<bool> PingAsync(DatabaseProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBatchAsync(profile, () => [new NpgsqlBatchCommand("SELECT 1")],
                async (reader, ct) => await reader.ReadAsync(ct) && reader.GetInt32(0) == 1, null, cancellationToken);
        }
        catch (ConnectorException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var state in _states.Values)
        {
            await state.Source.DisposeAsync();
            state.Slots.Dispose();
        }
    }

    private ProfileState State(DatabaseProfile profile) =>
        _states.GetOrAdd(profile.Name, _ => new ProfileState(BuildDataSource(profile.ConnectionString), new SemaphoreSlim(profile.MaxConnections)));

    /// <summary>
    /// The fence's opening commands; SET LOCAL settings end with the transaction, so none outlives the call. Where the server
    /// has it (PostgreSQL 14+), <c>client_connection_check_interval</c> makes a running statement stop soon after its connection
    /// is gone: Npgsql closes the connection when a cancel request was lost (PostgreSQL ignores one that arrives while the
    /// backend is still reading the batch), and the process itself may be killed.
    /// </summary>
    private static NpgsqlBatch FenceBatch(NpgsqlConnection connection, DatabaseProfile profile)
    {
        var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                new NpgsqlBatchCommand(SetLocal("statement_timeout", profile.StatementTimeoutSeconds * 1000)),
                new NpgsqlBatchCommand(SetLocal("lock_timeout", EngineErrors.LockTimeoutMilliseconds(profile))),
                new NpgsqlBatchCommand(SetLocal("idle_in_transaction_session_timeout", (profile.StatementTimeoutSeconds + 30) * 1000)),
            },
        };
        if (connection.PostgreSqlVersion.Major >= 14)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(SetLocal("client_connection_check_interval", ConnectionCheckMilliseconds)));
        }

        return batch;
    }

    private static async Task DisposeAsync(NpgsqlBatch? batch, NpgsqlConnection connection)
    {
        if (batch is not null)
        {
            await batch.DisposeAsync();
        }

        await connection.DisposeAsync();
    }

    /// <summary>Fails closed when Npgsql still rewrites SQL (the switch was set too late): then the server would run stacked statements.</summary>
    private static async Task VerifyStackedStatementsRefusedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new NpgsqlCommand("SELECT 1; SELECT 2", connection);
            await probe.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == "42601")
        {
            return;
        }

        throw new ConnectorException(ErrorCodes.InternalError,
            "The database fence is not in effect (the driver still splits stacked statements), so no query is run. The server must call PostgresEngine.DisableSqlRewriting at start-up.");
    }

    private static string SetLocal(string setting, int milliseconds) =>
        $"SET LOCAL {setting} = {milliseconds.ToString(CultureInfo.InvariantCulture)}";

    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The pool resets the connection anyway, and a broken one is discarded.
        }
    }

    private ConnectorException Translate(DatabaseProfile profile, ProfileState state, Exception ex, Func<PostgresException, ConnectorException?>? queryErrors)
    {
        if (ex is PostgresException pg && (queryErrors?.Invoke(pg) ?? QueryError(profile, pg)) is { } queryError)
        {
            return queryError;
        }

        // Connection, authentication or configuration trouble: details only in the log, the answer stays generic.
        LogUnavailable(profile.Name, ex);
        state.Source.Clear();
        return EngineErrors.Unavailable(profile);
    }

    private static ConnectorException? QueryError(DatabaseProfile profile, PostgresException pg)
    {
        var sqlState = pg.SqlState;
        var errorClass = sqlState[..2];
        return sqlState switch
        {
            "57014" => EngineErrors.StatementTimeout(profile),
            "55P03" => EngineErrors.LockTimeout(),
            "25006" => ConnectorException.PermissionDenied($"The database refused: {pg.MessageText} (every call runs in a read-only transaction)."),
            "42501" => ConnectorException.PermissionDenied($"The database refused: {pg.MessageText}."),
            _ when errorClass is "08" or "28" or "3D" or "53" or "57" or "58" or "XX" or "F0" => null,
            _ => ConnectorException.InvalidArgument("sql", QueryErrorText(pg)),
        };
    }

    internal static string QueryErrorText(PostgresException pg, int positionShift = 0)
    {
        var text = pg.MessageText;
        if (pg.Position > 0)
        {
            text += $" (at character {Math.Max(1, pg.Position - positionShift)})";
        }

        if (!string.IsNullOrEmpty(pg.Hint))
        {
            text += $". Hint: {pg.Hint}";
        }

        return text;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database profile {Profile} is unavailable")]
    private partial void LogUnavailable(string profile, Exception exception);

    private sealed record ProfileState(NpgsqlDataSource Source, SemaphoreSlim Slots)
    {
        public bool FenceVerified { get; set; }
    }
}
