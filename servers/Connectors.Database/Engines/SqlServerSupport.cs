using System.Diagnostics.CodeAnalysis;
using Connectors.Hosting.Configuration;

namespace Connectors.Database;

/// <summary>
/// Whether this build can serve SQL Server profiles. Microsoft.Data.SqlClient does not run under Native AOT (it is not
/// trim-safe and needs ICU), so the Native AOT publish sets the <see cref="Switch"/> feature switch to false (the
/// Database csproj, under <c>PublishAot</c>): the trimmer then treats <see cref="IsEnabled"/> as a constant and removes
/// every SQL Server path — SqlClient, the T-SQL guard — and the server refuses a SQL Server profile at start-up saying
/// which build to run instead. The framework-dependent build never sets the switch and serves both engines.
/// </summary>
internal static class SqlServerSupport
{
    public const string Switch = "Connectors.Database.SqlServer";

    [FeatureSwitchDefinition(Switch)]
    public static bool IsEnabled => !AppContext.TryGetSwitch(Switch, out var enabled) || enabled;

    /// <summary>The start-up error for a SQL Server profile in a build without SQL Server.</summary>
    public static ConnectorConfigurationException Unavailable(string profile) => new(
        $"Database profile '{profile}' is a SQL Server database, and this build of connectors-database (Native AOT) has no SQL Server " +
        "support: Microsoft.Data.SqlClient does not run under Native AOT. Run the framework-dependent build of the same server for " +
        "SQL Server profiles: the Connectors.Database tool package's framework-dependent (any) build, `eng/publish.sh --r2r database DIR` " +
        "from the source, or an image built with --build-arg PUBLISH_OPTIONS=--r2r (deploy/docker/Dockerfile). PostgreSQL profiles run in this build.");
}
