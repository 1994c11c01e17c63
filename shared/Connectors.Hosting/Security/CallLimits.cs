using System.Threading.RateLimiting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;

namespace Connectors.Hosting.Security;

/// <summary>
/// Per-process quotas: a token bucket per identity and one per tool for tool calls (answered with a <c>rate_limited</c>
/// tool error), and a cap on the HTTP requests one identity has in flight (answered with 429). Each is off unless set.
/// </summary>
internal sealed class CallLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perIdentity;
    private readonly PartitionedRateLimiter<string>? _perTool;
    private readonly PartitionedRateLimiter<string>? _concurrency;

    public CallLimits(ConnectorSettings settings)
    {
        _perIdentity = TokenBuckets(settings.Get(SecurityOptions.IdentityCallsPerMinute), settings.Get(SecurityOptions.IdentityBurst));
        _perTool = TokenBuckets(settings.Get(SecurityOptions.ToolCallsPerMinute), settings.Get(SecurityOptions.ToolBurst));
        var concurrent = settings.Get(SecurityOptions.ConcurrentRequestsPerIdentity);
        _concurrency = concurrent == 0 ? null : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetConcurrencyLimiter(
            key, _ => new ConcurrencyLimiterOptions { PermitLimit = concurrent, QueueLimit = 0 }));
    }

    /// <summary>Takes one call from the caller's and the tool's buckets, or throws <c>rate_limited</c> with when to retry.</summary>
    public void AcquireCall(CallerIdentity caller, string tool)
    {
        Take(_perIdentity, caller.Key, $"Too many calls from '{caller.Name}'.");
        Take(_perTool, tool, $"Too many calls of '{tool}' on this server.");
    }

    /// <summary>A slot for one HTTP request of this identity, or null when it already has the most it may have in flight.</summary>
    public RateLimitLease? TryEnterRequest(CallerIdentity caller)
    {
        var lease = _concurrency?.AttemptAcquire(caller.Key);
        if (lease is { IsAcquired: false })
        {
            lease.Dispose();
            return null;
        }

        return lease ?? NoLimit.Instance;
    }

    public void Dispose()
    {
        _perIdentity?.Dispose();
        _perTool?.Dispose();
        _concurrency?.Dispose();
    }

    private static void Take(PartitionedRateLimiter<string>? limiter, string key, string message)
    {
        if (limiter is null)
        {
            return;
        }

        using var lease = limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            throw ConnectorException.RateLimited(message, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
        }
    }

    private static PartitionedRateLimiter<string>? TokenBuckets(int perMinute, int burst)
    {
        if (perMinute == 0)
        {
            return null;
        }

        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst > 0 ? burst : Math.Max(1, perMinute / 10),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => options));
    }

    private sealed class NoLimit : RateLimitLease
    {
        public static readonly NoLimit Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
