using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using Connectors.Hosting.Errors;
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

    public PostgresEngine(ILogger<PostgresEngine> logger) => _logger = logger;

    /// <summary>
    /// Turns Npgsql's SQL rewriting off: each command is then one extended-protocol statement, and PostgreSQL itself refuses
    /// ';'-stacked commands. Npgsql reads the switch once, so this must run before the process first uses a command;
    /// <see cref="ReadAsync{T}"/> verifies it took effect before the first call of each profile.
    /// </summary>
    public static void DisableSqlRewriting() => AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);

    /// <summary>Runs <paramref name="work"/> inside the fence: a read-only transaction that is always rolled back.</summary>
    public async Task<T> ReadAsync<T>(DatabaseProfile profile, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var state = State(profile);
        if (!await state.Slots.WaitAsync(EngineErrors.PoolWait, cancellationToken))
        {
            throw EngineErrors.Busy(profile);
        }

        try
        {
            await using var connection = await OpenFencedAsync(profile, state, cancellationToken);
            try
            {
                return await work(connection, cancellationToken);
            }
            finally
            {
                await RollbackQuietlyAsync(connection);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or SocketException)
        {
            throw Translate(profile, state, ex);
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
            return await ReadAsync(profile, async (connection, ct) =>
            {
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                return await command.ExecuteScalarAsync(ct) is 1;
            }, cancellationToken);
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
        _states.GetOrAdd(profile.Name, _ => new ProfileState(new NpgsqlDataSourceBuilder(profile.ConnectionString).Build(), new SemaphoreSlim(profile.MaxConnections)));

    private static async Task<NpgsqlConnection> OpenFencedAsync(DatabaseProfile profile, ProfileState state, CancellationToken cancellationToken)
    {
        var source = state.Source;
        // Pooled connections may have died with the server; nothing has run yet, so one retry on fresh ones is safe.
        for (var attempt = 1; ; attempt++)
        {
            var connection = source.CreateConnection();
            try
            {
                await connection.OpenAsync(cancellationToken);
                if (!state.FenceVerified)
                {
                    await VerifyStackedStatementsRefusedAsync(connection, cancellationToken);
                    state.FenceVerified = true;
                }

                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                        new NpgsqlBatchCommand(SetLocal("statement_timeout", profile.StatementTimeoutSeconds * 1000)),
                        new NpgsqlBatchCommand(SetLocal("lock_timeout", EngineErrors.LockTimeoutMilliseconds(profile))),
                        new NpgsqlBatchCommand(SetLocal("idle_in_transaction_session_timeout", (profile.StatementTimeoutSeconds + 30) * 1000)),
                    },
                };
                await batch.ExecuteNonQueryAsync(cancellationToken);
                return connection;
            }
            catch (NpgsqlException ex) when (attempt == 1 && ex is not PostgresException && !cancellationToken.IsCancellationRequested)
            {
                await connection.DisposeAsync();
                source.Clear();
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
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

    private ConnectorException Translate(DatabaseProfile profile, ProfileState state, Exception ex)
    {
        if (ex is PostgresException pg && QueryError(profile, pg) is { } queryError)
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
