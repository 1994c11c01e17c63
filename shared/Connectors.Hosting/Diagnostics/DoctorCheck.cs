using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting.Diagnostics;

public enum DoctorStatus
{
    Ok,
    Warning,
    Failed,
}

/// <summary>The outcome of one <c>doctor</c> check: one line a person reads, free of secrets.</summary>
public sealed record DoctorResult(DoctorStatus Status, string Detail)
{
    public static DoctorResult Ok(string detail) => new(DoctorStatus.Ok, detail);

    public static DoctorResult Warning(string detail) => new(DoctorStatus.Warning, detail);

    public static DoctorResult Failed(string detail) => new(DoctorStatus.Failed, detail);
}

/// <summary>
/// A configuration check the <c>doctor</c> subcommand runs (after every readiness check) without serving: a token's
/// scopes, a role being read-only, a native library loading. Checks that cost upstream quota belong here, not in /readyz.
/// </summary>
public interface IDoctorCheck
{
    string Name { get; }

    Task<DoctorResult> CheckAsync(CancellationToken cancellationToken);
}

public static class DoctorServiceCollectionExtensions
{
    public static IServiceCollection AddDoctorCheck(this IServiceCollection services, string name, Func<IServiceProvider, CancellationToken, Task<DoctorResult>> check) =>
        services.AddSingleton<IDoctorCheck>(sp => new DelegateDoctorCheck(name, ct => check(sp, ct)));

    private sealed class DelegateDoctorCheck(string name, Func<CancellationToken, Task<DoctorResult>> check) : IDoctorCheck
    {
        public string Name => name;

        public Task<DoctorResult> CheckAsync(CancellationToken cancellationToken) => check(cancellationToken);
    }
}
