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
        try
        {
            return await pipeline.ExecuteAsync(
                async ct =>
                {
                    if (state.Breaker.TryEnter() is { } wait)
                    {
                        throw new CircuitOpenException(wait);
                    }

                    try
                    {
                        var result = await call(ct);
                        state.Breaker.OnSuccess();
                        return result;
                    }
                    catch (Exception ex) when (state.Policy.IsTransient(ex))
                    {
                        state.Breaker.OnFailure();
                        logger.LogWarning("Upstream {Upstream} failed: {ErrorType}", upstream, ex.GetType().Name);
                        throw;
                    }
                    catch
                    {
                        state.Breaker.OnAbandoned();
                        throw;
                    }
                },
                cancellationToken);
        }
        catch (CircuitOpenException open)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(open.RetryAfter.TotalSeconds));
            throw ConnectorException.UpstreamUnavailable(
                $"'{upstream}' is failing repeatedly; calls to it are paused. Try again in {seconds} s.", seconds);
        }
        catch (TimeoutRejectedException)
        {
            throw ConnectorException.Timeout($"'{upstream}' did not answer within {state.Policy.Deadline.TotalSeconds:0.#} s.");
        }
        catch (Exception ex) when (ex is not ConnectorException && state.Policy.IsTransient(ex))
        {
            throw ConnectorException.UpstreamUnavailable($"'{upstream}' is unavailable right now ({ex.GetType().Name}).", innerException: ex);
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
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => policy.MaxRetries > 0 && ex is not CircuitOpenException && policy.IsTransient(ex)),
                })
                .Build();
        }

        public UpstreamPolicy Policy { get; }

        public CircuitBreaker Breaker { get; }

        public ResiliencePipeline ReadPipeline { get; }

        public ResiliencePipeline WritePipeline { get; }
    }

    private sealed class CircuitOpenException(TimeSpan retryAfter) : Exception("circuit open")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
