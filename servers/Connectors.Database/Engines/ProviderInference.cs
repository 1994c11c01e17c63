using System.Data.Common;
using Connectors.Hosting.Configuration;

namespace Connectors.Database;

/// <summary>
/// Which engine a connection string is for, when no provider is named: keywords only one driver knows decide
/// (<c>Host</c>, <c>Username</c>, <c>Port</c>… → postgres; <c>Server</c>, <c>Data Source</c>, <c>Initial Catalog</c>,
/// <c>TrustServerCertificate</c>… → sqlserver). A string with neither stays postgres, as before providers existed; one with
/// both is refused rather than guessed.
/// </summary>
internal static class ProviderInference
{
    private static readonly HashSet<string> s_postgresKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "username", "port", "passfile", "sslmode", "ssl mode", "search path", "searchpath", "include error detail",
        "root certificate", "target session attributes", "load balance hosts", "options", "kerberos service name",
    };

    private static readonly HashSet<string> s_sqlServerKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "server", "data source", "addr", "address", "network address", "initial catalog", "trustservercertificate",
        "trust server certificate", "applicationintent", "application intent", "integrated security", "trusted_connection",
        "multisubnetfailover", "multi subnet failover", "encrypt", "user id", "uid", "pwd", "authentication", "failover partner",
        "attachdbfilename", "packet size", "connect retry count", "workstation id", "wsid",
    };

    public static DatabaseProvider Infer(string connectionString, string profile)
    {
        var keys = new List<string>();
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            keys.AddRange(builder.Keys.Cast<string>());
        }
        catch (ArgumentException)
        {
            throw new ConnectorConfigurationException($"The connection string of database profile '{profile}' is not valid (expected keyword=value pairs separated by ';').");
        }

        var postgres = keys.Any(s_postgresKeys.Contains);
        var sqlServer = keys.Any(s_sqlServerKeys.Contains);
        return (postgres, sqlServer) switch
        {
            (true, true) => throw new ConnectorConfigurationException(
                $"The connection string of database profile '{profile}' mixes PostgreSQL and SQL Server keywords; name the engine with --provider (or \"provider\" in the profile): postgres or sqlserver."),
            (false, true) => DatabaseProvider.SqlServer,
            _ => DatabaseProvider.Postgres,
        };
    }
}
