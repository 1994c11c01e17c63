namespace Connectors.Database;

/// <summary>The errors every engine answers alike, so an agent sees the same codes and advice whatever the database.</summary>
internal static class EngineErrors
{
    /// <summary>How long a call waits for one of the profile's connections before answering rate_limited.</summary>
    public static readonly TimeSpan PoolWait = TimeSpan.FromSeconds(5);

    public static ConnectorException Busy(DatabaseProfile profile) => ConnectorException.RateLimited(
        $"Database '{profile.Name}' is busy: all {profile.MaxConnections} connections are in use. Retry in a moment.", 1);

    /// <summary>Connection, authentication or configuration trouble: the details go only to the log.</summary>
    public static ConnectorException Unavailable(DatabaseProfile profile) => ConnectorException.UpstreamUnavailable(
        $"Database '{profile.Name}' is unavailable right now (the server log has the details). Retry in a few seconds.", retryAfterSeconds: 5);

    public static ConnectorException StatementTimeout(DatabaseProfile profile) => ConnectorException.Timeout(
        $"The query ran longer than the statement timeout ({profile.StatementTimeoutSeconds} s) and was cancelled. Narrow it with WHERE, a row limit, or aggregate.");

    public static ConnectorException LockTimeout() =>
        ConnectorException.Timeout("The query waited too long for a lock held by another session and was cancelled. Retry later.");

    /// <summary>The lock timeout of every call, in milliseconds: at most 5 s, never above the statement timeout.</summary>
    public static int LockTimeoutMilliseconds(DatabaseProfile profile) => Math.Min(5_000, profile.StatementTimeoutSeconds * 1000);
}
