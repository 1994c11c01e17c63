using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.Hosting.Diagnostics;

/// <summary>
/// Health checks are ordinary <see cref="IHealthCheck"/> registrations (<c>services.AddHealthChecks().AddCheck(…)</c>).
/// Their tags say where they run: <c>/healthz</c> runs those tagged <see cref="Live"/>, <c>/readyz</c> those tagged
/// <see cref="Ready"/>, and <c>doctor</c> runs every one — so a check that costs upstream quota (a token's scopes) carries
/// no tag and runs only there. Healthy prints <c>ok</c>, Degraded <c>warn</c>, Unhealthy <c>FAIL</c> (and fails /readyz).
/// </summary>
public static class ConnectorHealth
{
    public const string Live = "live";

    public const string Ready = "ready";

    /// <summary>How long a check without its own timeout may take: probes are frequent, doctor waits on upstream APIs.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DoctorTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Adds a check that needs the server's services (a client, an engine), built for each run.</summary>
    public static IHealthChecksBuilder AddAsyncCheck(
        this IHealthChecksBuilder builder, string name, Func<IServiceProvider, CancellationToken, Task<HealthCheckResult>> check, IEnumerable<string>? tags = null) =>
        builder.Add(new HealthCheckRegistration(name, services => new ServiceHealthCheck(services, check), failureStatus: null, tags));

    /// <summary>What <c>/readyz</c> and <c>doctor</c> print for one check: its description, never an exception's text (it may hold secrets).</summary>
    internal static string Describe(HealthReportEntry entry) => entry.Exception switch
    {
        OperationCanceledException => $"no answer within {entry.Duration.TotalSeconds:0} s",
        { } thrown => $"the check failed unexpectedly ({thrown.GetType().Name}; the server log has the details)",
        null => entry.Description ?? (entry.Status == HealthStatus.Healthy ? "ok" : "failed"),
    };

    /// <summary>The health check service with a timeout on every check that did not bring its own.</summary>
    internal static IServiceCollection AddConnectorHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks();
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
            {
                registration.Timeout = registration.Tags.Contains(Ready) || registration.Tags.Contains(Live) ? ReadyTimeout : DoctorTimeout;
            }
        });
        return services;
    }

    private sealed class ServiceHealthCheck(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) => check(services, cancellationToken);
    }
}
