using System.Text.Json;
using System.Text.RegularExpressions;
using Connectors.Hosting.Configuration;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace Connectors.Database;

/// <summary>
/// The profiles of this server: <c>default</c> from <c>--connection-string</c>, and named ones from the config file's
/// <c>databases</c> section. The provider comes from <c>--provider</c> / the profile's <c>provider</c>, or is inferred from
/// the connection string's keywords. Connection strings are hardened here: pools always reset returned connections, a
/// PostgreSQL session defaults to read-only transactions, and the pool size matches the profile's connection limit.
/// </summary>
public sealed partial class ProfileRegistry
{
    public const string DefaultName = "default";

    private readonly Dictionary<string, DatabaseProfile> _profiles;

    private ProfileRegistry(Dictionary<string, DatabaseProfile> profiles) => _profiles = profiles;

    public IReadOnlyCollection<DatabaseProfile> All => _profiles.Values;

    /// <summary>The profile a call names, or the only/default one when it names none.</summary>
    public DatabaseProfile Get(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            if (_profiles.TryGetValue(DefaultName, out var fallback) || _profiles.Count == 1)
            {
                return fallback ?? _profiles.Values.First();
            }

            throw ConnectorException.InvalidArgument("database", $"name a database profile: {string.Join(", ", _profiles.Keys)}.");
        }

        return _profiles.TryGetValue(name.Trim(), out var profile)
            ? profile
            : throw ConnectorException.InvalidArgument("database", $"there is no database profile '{Shorten(name)}'. Call list_databases to see them.");
    }

    public static ProfileRegistry Create(ConnectorSettings settings)
    {
        var outputBudget = settings.Get(CommonOptions.MaxOutputBytes);
        var profiles = new Dictionary<string, DatabaseProfile>(StringComparer.Ordinal);
        var connectionString = settings.Get(DatabaseOptions.ConnectionString);
        if (connectionString.Length > 0)
        {
            profiles[DefaultName] = Build(DefaultName, ParseProvider(settings.Get(DatabaseOptions.Provider), connectionString, DefaultName), connectionString, new DatabaseProfileLimits(
                settings.Get(DatabaseOptions.StatementTimeoutSeconds),
                settings.Get(DatabaseOptions.MaxRows),
                outputBudget,
                settings.Get(DatabaseOptions.MaxConnections),
                settings.Get(DatabaseOptions.AllowExplainAnalyze)));
        }

        if (settings.Section(DatabaseOptions.ProfilesSection) is { } section)
        {
            if (section.ValueKind != JsonValueKind.Object)
            {
                throw new ConnectorConfigurationException($"config key {DatabaseOptions.ProfilesSection}: expected an object of named profiles.");
            }

            foreach (var entry in section.EnumerateObject())
            {
                if (!ProfileName().IsMatch(entry.Name) || profiles.ContainsKey(entry.Name))
                {
                    throw new ConnectorConfigurationException(
                        $"config key {DatabaseOptions.ProfilesSection}: '{Shorten(entry.Name)}' is not a valid, unique profile name (letters, digits, '_' and '-').");
                }

                profiles[entry.Name] = FromConfig(entry.Name, entry.Value, settings, outputBudget);
            }
        }

        if (profiles.Count == 0)
        {
            throw new ConnectorConfigurationException(
                "No database configured: give --connection-string (or CONNECTORS_DATABASE_CONNECTION_STRING), or named profiles under \"databases\" in the config file.");
        }

        return new ProfileRegistry(profiles);
    }

    private static DatabaseProfile FromConfig(string name, JsonElement value, ConnectorSettings settings, int outputBudget)
    {
        var where = $"config key {DatabaseOptions.ProfilesSection}.{name}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ConnectorConfigurationException($"{where}: expected an object.");
        }

        string? connectionString = null;
        if (value.TryGetProperty("connectionStringEnv", out var variable) && variable.ValueKind == JsonValueKind.String)
        {
            connectionString = Environment.GetEnvironmentVariable(variable.GetString()!);
            if (string.IsNullOrEmpty(connectionString))
            {
                throw new ConnectorConfigurationException($"{where}.connectionStringEnv: the environment variable '{variable.GetString()}' is not set.");
            }
        }
        else if (value.TryGetProperty("connectionString", out var text) && text.ValueKind == JsonValueKind.String)
        {
            connectionString = text.GetString();
        }

        if (string.IsNullOrEmpty(connectionString))
        {
            throw new ConnectorConfigurationException($"{where}: give connectionString or connectionStringEnv (the name of an environment variable holding it).");
        }

        var provider = value.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : DatabaseOptions.InferProvider;
        return Build(name, ParseProvider(provider, connectionString, name), connectionString, new DatabaseProfileLimits(
            // statementTimeoutSeconds is the key's spelling before the options were renamed (issue 21).
            Number(value, value.TryGetProperty("statementTimeout", out _) ? "statementTimeout" : "statementTimeoutSeconds", settings.Get(DatabaseOptions.StatementTimeoutSeconds), 1, 3600, where),
            Number(value, "maxRows", settings.Get(DatabaseOptions.MaxRows), 1, 1_000_000, where),
            Math.Min(outputBudget, Number(value, "maxBytes", outputBudget, 1024, int.MaxValue, where)),
            Number(value, "maxConnections", settings.Get(DatabaseOptions.MaxConnections), 1, 200, where),
            value.TryGetProperty("allowExplainAnalyze", out var analyze) ? analyze.ValueKind == JsonValueKind.True : settings.Get(DatabaseOptions.AllowExplainAnalyze)));
    }

    private static DatabaseProfile Build(string name, DatabaseProvider provider, string connectionString, DatabaseProfileLimits limits)
    {
        (string Hardened, ProfileTarget Target) connection;
        try
        {
            if (provider == DatabaseProvider.Postgres)
            {
                connection = HardenPostgres(new NpgsqlConnectionStringBuilder(connectionString), limits);
            }
            else if (SqlServerSupport.IsEnabled)
            {
                connection = HardenSqlServer(name, new SqlConnectionStringBuilder(connectionString), limits);
            }
            else
            {
                throw SqlServerSupport.Unavailable(name);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The parser's message may quote the string; it could hold a password, so it is not repeated.
            throw new ConnectorConfigurationException(
                $"The connection string of database profile '{name}' is not valid for {(provider == DatabaseProvider.SqlServer ? "SQL Server (Server, Database, User ID…)" : "PostgreSQL (Host, Port, Database, Username…)")}; check its keywords.");
        }

        return new DatabaseProfile(name, provider, connection.Hardened, connection.Target)
        {
            StatementTimeoutSeconds = limits.StatementTimeoutSeconds,
            MaxRows = limits.MaxRows,
            MaxBytes = limits.MaxBytes,
            MaxConnections = limits.MaxConnections,
            AllowExplainAnalyze = limits.AllowExplainAnalyze,
        };
    }

    private static (string, ProfileTarget) HardenPostgres(NpgsqlConnectionStringBuilder builder, DatabaseProfileLimits limits)
    {
        // Returned connections are always reset (DISCARD ALL: settings, advisory locks, prepared statements, temp tables).
        builder.NoResetOnClose = false;
        builder.Pooling = true;
        builder.Multiplexing = false;
        builder.MaxPoolSize = limits.MaxConnections;
        builder.MinPoolSize = 0;
        builder.IncludeErrorDetail = false;
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) ? "connectors-database" : builder.ApplicationName;
        builder.CommandTimeout = limits.StatementTimeoutSeconds + 15;

        // A second read-only default under the explicit READ ONLY transaction of every call.
        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();

        return (builder.ConnectionString, new ProfileTarget($"{builder.Host}:{builder.Port}", builder.Database ?? "", builder.Username ?? ""));
    }

    private static (string, ProfileTarget) HardenSqlServer(string name, SqlConnectionStringBuilder builder, DatabaseProfileLimits limits)
    {
        // SqlClient 7 finds Entra ID token providers only in Microsoft.Data.SqlClient.Extensions.Azure, which this server does
        // not ship: such a profile could never log in, so it is refused here rather than at every call.
        if (builder.Authentication is not (SqlAuthenticationMethod.NotSpecified or SqlAuthenticationMethod.SqlPassword))
        {
            throw new ConnectorConfigurationException(
                $"Database profile '{name}': Authentication={builder.Authentication} (Microsoft Entra ID) is not available in this server " +
                "(it would need the Microsoft.Data.SqlClient.Extensions.Azure package); use a SQL login (User ID and Password) or Integrated Security.");
        }

        // SqlClient resets pooled connections when they are reused (sp_reset_connection: SET options, temp tables, open
        // transactions); one pool per profile, sized to its connection limit, never enlisted in ambient transactions.
        builder.Pooling = true;
        builder.MaxPoolSize = limits.MaxConnections;
        builder.MinPoolSize = 0;
        builder.Enlist = false;
        builder.MultipleActiveResultSets = false;
        builder.PersistSecurityInfo = false;
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == ".Net SqlClient Data Provider"
            ? "connectors-database" : builder.ApplicationName;
        // SqlClient checks keyword combinations (a password with integrated security…) only when a connection is created.
        new SqlConnection(builder.ConnectionString).Dispose();

        var user = builder.IntegratedSecurity ? "(integrated security)" : builder.UserID;
        var intent = builder.ApplicationIntent == ApplicationIntent.ReadOnly ? ", read-only intent" : "";
        return (builder.ConnectionString, new ProfileTarget(builder.DataSource, builder.InitialCatalog, user, intent));
    }

    private static DatabaseProvider ParseProvider(string provider, string connectionString, string profile) => provider.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        "sqlserver" or "mssql" => DatabaseProvider.SqlServer,
        "" or DatabaseOptions.InferProvider => ProviderInference.Infer(connectionString, profile),
        _ => throw new ConnectorConfigurationException($"Database profile '{profile}': provider '{Shorten(provider)}' is not supported (supported: postgres, sqlserver)."),
    };

    private static int Number(JsonElement value, string key, int fallback, int min, int max, string where)
    {
        if (!value.TryGetProperty(key, out var element))
        {
            return fallback;
        }

        return element.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw new ConnectorConfigurationException($"{where}.{key}: must be a whole number between {min} and {max}.");
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProfileName();

    private readonly record struct DatabaseProfileLimits(int StatementTimeoutSeconds, int MaxRows, int MaxBytes, int MaxConnections, bool AllowExplainAnalyze);
}
