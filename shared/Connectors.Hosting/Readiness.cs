using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting;

/// <summary>The outcome of one readiness check; <see cref="Detail"/> is shown on <c>/readyz</c>, so keep it free of secrets.</summary>
public sealed record ReadinessResult(bool Ready, string Detail)
{
    public static ReadinessResult Ok(string detail = "ok") => new(true, detail);

    public static ReadinessResult Failed(string detail) => new(false, detail);
}

/// <summary>A dependency the server needs to answer calls (roots, a database, an API), checked by <c>/readyz</c>.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken);
}

public static class ReadinessServiceCollectionExtensions
{
    /// <summary>Adds a readiness check that <c>/readyz</c> runs.</summary>
    public static IServiceCollection AddReadinessCheck(this IServiceCollection services, string name, Func<IServiceProvider, CancellationToken, Task<ReadinessResult>> check) =>
        services.AddSingleton<IReadinessCheck>(sp => new DelegateReadinessCheck(name, ct => check(sp, ct)));

    private sealed class DelegateReadinessCheck(string name, Func<CancellationToken, Task<ReadinessResult>> check) : IReadinessCheck
    {
        public string Name => name;

        public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken) => check(cancellationToken);
    }
}
