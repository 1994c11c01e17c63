using System.Collections.Concurrent;
using Connectors.Hosting.Errors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Connectors.Hosting.Resilience;

/// <summary>
/// The one policy servers use for calls to databases and APIs: a per-call deadline, a circuit breaker per upstream, and
/// retries with jittered backoff for idempotent reads only, inside the deadline. Failures come out as
/// <see cref="ConnectorException"/>s (<c>timeout</c>, <c>upstream_unavailable</c> with <c>retry_after_seconds</c>).
/// </summary>
public sealed class UpstreamResilience(TimeProvider time, ILogger<UpstreamResilience> logger)
{
    private readonly ConcurrentDictionary<string, Upstream> _upstreams = new(StringComparer.Ordinal);

    /// <summary>Declares an upstream's policy; upstreams not declared use the defaults.</summary>
    public void Configure(string upstream, UpstreamPolicy policy) =>
        _upstreams[upstream] = new Upstream(policy, time);

    public async Task<T> ExecuteAsync<T>(
        string upstream,
        UpstreamCallKind kind,
        Func<CancellationToken, ValueTask<T>> call,
        CancellationToken cancellationToken)
    {
        var state = _upstreams.GetOrAdd(upstream, _ => new Upstream(new UpstreamPolicy(), time));
        var pipeline = kind == UpstreamCallKind.Read ? state.ReadPipeline : state.WritePipeline;
        if (state.Breaker.TryEnter() is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            throw ConnectorException.UpstreamUnavailable(
                $"'{upstream}' is failing repeatedly; calls to it are paused. Try again in {seconds} s.", seconds);
        }

        // The breaker judges whole calls: a read that failed through all its retries is one failure, not three.
        try
        {
            var result = await pipeline.ExecuteAsync(
                async ct =>
                {
                    try
                    {
                        return await call(ct);
                    }
                    catch (Exception ex) when (state.Policy.IsTransient(ex))
                    {
                        logger.LogWarning("Upstream {Upstream} failed: {ErrorType}", upstream, ex.GetType().Name);
                        throw;
                    }
                },
                cancellationToken);
            state.Breaker.OnSuccess();
            return result;
        }
        catch (Exception ex) when (state.Policy.IsTransient(ex))
        {
            state.Breaker.OnFailure();
            if (ex is ConnectorException)
            {
                throw;
            }

            throw ConnectorException.UpstreamUnavailable($"'{upstream}' is unavailable right now ({ex.GetType().Name}).", innerException: ex);
        }
        catch (TimeoutRejectedException)
        {
            state.Breaker.OnAbandoned();
            throw ConnectorException.Timeout($"'{upstream}' did not answer within {state.Policy.Deadline.TotalSeconds:0.#} s.");
        }
        catch
        {
            // Cancelled by the caller, or a failure that says nothing about the upstream's health (a bad query).
            state.Breaker.OnAbandoned();
            throw;
        }
    }

    private sealed class Upstream
    {
        public Upstream(UpstreamPolicy policy, TimeProvider time)
        {
            Policy = policy;
            Breaker = new CircuitBreaker(policy, time);
            WritePipeline = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddTimeout(policy.Deadline)
                .Build();
            ReadPipeline = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddTimeout(policy.Deadline)
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(1, policy.MaxRetries),
                    Delay = policy.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => policy.MaxRetries > 0 && policy.IsTransient(ex)),
                })
                .Build();
        }

        public UpstreamPolicy Policy { get; }

        public CircuitBreaker Breaker { get; }

        public ResiliencePipeline ReadPipeline { get; }

        public ResiliencePipeline WritePipeline { get; }
    }
}
