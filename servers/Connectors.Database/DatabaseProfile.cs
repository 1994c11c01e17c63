using Npgsql;

namespace Connectors.Database;

/// <summary>The engines a profile may use. Dialect specifics live in one provider class per engine.</summary>
public enum DatabaseProvider
{
    Postgres,
}

/// <summary>One named database the server may query, with its limits. The connection string never leaves this object.</summary>
public sealed class DatabaseProfile
{
    public const int DefaultRows = 500;

    internal DatabaseProfile(string name, DatabaseProvider provider, NpgsqlConnectionStringBuilder connection)
    {
        Name = name;
        Provider = provider;
        Connection = connection;
    }

    public string Name { get; }

    public DatabaseProvider Provider { get; }

    public int StatementTimeoutSeconds { get; init; } = 30;

    /// <summary>The largest max_rows a call may ask for.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Largest result text, in bytes (never above the server's output budget).</summary>
    public int MaxBytes { get; init; }

    public int MaxConnections { get; init; } = 10;

    public bool AllowExplainAnalyze { get; init; }

    /// <summary>The hardened connection settings (never shown; see <see cref="Describe"/>).</summary>
    internal NpgsqlConnectionStringBuilder Connection { get; }

    /// <summary>What the profile points at, without secrets: host, port, database, user.</summary>
    public string Describe() =>
        $"{Name}: {Provider.ToString().ToLowerInvariant()} database '{Connection.Database}' on {Connection.Host}:{Connection.Port} as '{Connection.Username}'" +
        $" (statement timeout {StatementTimeoutSeconds} s, max rows {MaxRows:N0}{(AllowExplainAnalyze ? ", EXPLAIN ANALYZE allowed" : "")})";
}
