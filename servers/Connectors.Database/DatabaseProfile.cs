namespace Connectors.Database;

/// <summary>The engines a profile may use. Dialect specifics live in one provider class per engine.</summary>
public enum DatabaseProvider
{
    Postgres,
    SqlServer,
}

/// <summary>One named database the server may query, with its limits. The connection string never leaves this object.</summary>
public sealed class DatabaseProfile
{
    public const int DefaultRows = 500;

    internal DatabaseProfile(string name, DatabaseProvider provider, string connectionString, ProfileTarget target)
    {
        Name = name;
        Provider = provider;
        ConnectionString = connectionString;
        Target = target;
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

    /// <summary>The hardened connection string (never shown; see <see cref="Describe"/>).</summary>
    internal string ConnectionString { get; }

    /// <summary>What the profile points at, without secrets.</summary>
    internal ProfileTarget Target { get; }

    /// <summary>The provider as configured and shown: postgres or sqlserver.</summary>
    public string ProviderName => Provider == DatabaseProvider.SqlServer ? "sqlserver" : "postgres";

    /// <summary>What the profile points at, without secrets: server, database, user.</summary>
    public string Describe() =>
        $"{Name}: {ProviderName} database '{Target.Database}' on {Target.Server} as '{Target.User}'{Target.Note}" +
        $" (statement timeout {StatementTimeoutSeconds} s, max rows {MaxRows:N0}{(AllowExplainAnalyze ? ", EXPLAIN ANALYZE allowed" : "")})";
}

/// <summary>The server, database and user a profile connects to, for display; <see cref="Note"/> adds e.g. read-only intent.</summary>
internal readonly record struct ProfileTarget(string Server, string Database, string User, string Note = "");
