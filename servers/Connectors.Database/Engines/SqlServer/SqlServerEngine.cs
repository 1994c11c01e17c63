using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Logging;

namespace Connectors.Database.SqlServer;

/// <summary>
/// The engine fence for SQL Server, which has no read-only transaction: every call runs in a transaction that is always
/// rolled back, with <c>SET LOCK_TIMEOUT</c>, <c>SET XACT_ABORT ON</c> and a command timeout; pooled connections are reset
/// by SqlClient when reused. <c>ApplicationIntent=ReadOnly</c> in the connection string is kept (it routes to a readable
/// secondary). What a login may do is the last word here, hence the README's least-privilege login. SQL Server errors about
/// the query become <c>invalid_argument</c> with message and line; connection trouble a generic <c>upstream_unavailable</c>.
/// </summary>
public sealed partial class SqlServerEngine(ILogger<SqlServerEngine> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="work"/> inside the fence: one transaction, always rolled back.</summary>
    public async Task<T> ReadAsync<T>(
        DatabaseProfile profile, Func<SqlConnection, SqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var slots = _slots.GetOrAdd(profile.Name, _ => new SemaphoreSlim(profile.MaxConnections));
        if (!await slots.WaitAsync(EngineErrors.PoolWait, cancellationToken))
        {
            throw EngineErrors.Busy(profile);
        }

        try
        {
            await using var connection = await OpenFencedAsync(profile, cancellationToken);
            using var transaction = (SqlTransaction)await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            try
            {
                return await work(connection, transaction, cancellationToken);
            }
            catch (SqlException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw Translate(profile, ex);
            }
            finally
            {
                RollbackQuietly(transaction);
            }
        }
        // NotSupportedException: SqlClient refuses to open a connection in globalization-invariant mode (no ICU).
        catch (Exception ex) when (ex is SqlException or InvalidOperationException or TimeoutException or NotSupportedException && !cancellationToken.IsCancellationRequested)
        {
            throw Unavailable(profile, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>A command inside the fence, with the profile's statement timeout.</summary>
    public static SqlCommand Command(string sql, SqlConnection connection, SqlTransaction transaction, DatabaseProfile profile) =>
        new(sql, connection, transaction) { CommandTimeout = profile.StatementTimeoutSeconds };

    public async Task<bool> PingAsync(DatabaseProfile profile, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(profile, async (connection, transaction, ct) =>
            {
                await using var command = Command("SELECT 1", connection, transaction, profile);
                return await command.ExecuteScalarAsync(ct) is 1;
            }, cancellationToken);
        }
        catch (ConnectorException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var slots in _slots.Values)
        {
            slots.Dispose();
        }
    }

    private static async Task<SqlConnection> OpenFencedAsync(DatabaseProfile profile, CancellationToken cancellationToken)
    {
        var connection = new SqlConnection(profile.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var lockTimeout = EngineErrors.LockTimeoutMilliseconds(profile).ToString(CultureInfo.InvariantCulture);
            // SET LOCK_TIMEOUT takes a literal, not a parameter; the number is the profile's own, never a caller's value.
#pragma warning disable DAP241
            await using var settings = new SqlCommand(
                $"SET LOCK_TIMEOUT {lockTimeout}; SET XACT_ABORT ON; SET IMPLICIT_TRANSACTIONS OFF; SET NOCOUNT ON;", connection)
            {
                CommandTimeout = profile.StatementTimeoutSeconds,
            };
#pragma warning restore DAP241
            await settings.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void RollbackQuietly(SqlTransaction transaction)
    {
        try
        {
            if (transaction.Connection is { State: ConnectionState.Open })
            {
                transaction.Rollback();
            }
        }
        catch (Exception ex) when (ex is SqlException or InvalidOperationException)
        {
            // XACT_ABORT may already have rolled back; a broken connection is discarded by the pool.
        }
    }

    private ConnectorException Translate(DatabaseProfile profile, SqlException ex) => ex.Number switch
    {
        -2 => EngineErrors.StatementTimeout(profile),
        1222 => EngineErrors.LockTimeout(),
        229 or 230 or 262 or 297 or 300 or 916 or 15247 => ConnectorException.PermissionDenied($"The database refused: {ex.Message}"),
        _ when ex.Class is >= 11 and <= 16 && !IsConnectionError(ex.Number) => ConnectorException.InvalidArgument("sql", QueryErrorText(ex)),
        _ => Unavailable(profile, ex),
    };

    /// <summary>SQL Server's message with its line (counted in the caller's text: the guard keeps line breaks in place).</summary>
    internal static string QueryErrorText(SqlException ex) =>
        ex.LineNumber > 0 ? $"{ex.Errors[0].Message} (line {ex.LineNumber})" : ex.Errors[0].Message;

    // Login failed, database unavailable, network errors: reported with class 11–16 but about the connection, not the query.
    private static bool IsConnectionError(int number) => number is 4060 or 18452 or 18456 or 18487 or 18488 or 40613 or 40197 or 40501 or 233 or 53 or -1;

    private ConnectorException Unavailable(DatabaseProfile profile, Exception ex)
    {
        LogUnavailable(profile.Name, ex);
        return EngineErrors.Unavailable(profile);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database profile {Profile} (SQL Server) is unavailable")]
    private partial void LogUnavailable(string profile, Exception exception);
}
