using System.Threading.RateLimiting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;

namespace Connectors.Hosting.Security;

/// <summary>
/// Per-process quotas on tool calls, on every transport: a token bucket per identity and one per tool, answered with a
/// <c>rate_limited</c> tool error. Each is off unless set. (The HTTP cap on one identity's requests in flight is ASP.NET
/// Core rate limiting on the endpoint: <see cref="Http.McpHttpEndpoint"/>.)
/// </summary>
internal sealed class CallLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perIdentity;
    private readonly PartitionedRateLimiter<string>? _perTool;

    public CallLimits(ConnectorSettings settings)
    {
        _perIdentity = TokenBuckets(settings.Get(SecurityOptions.IdentityCallsPerMinute), settings.Get(SecurityOptions.IdentityBurst));
        _perTool = TokenBuckets(settings.Get(SecurityOptions.ToolCallsPerMinute), settings.Get(SecurityOptions.ToolBurst));
    }

    /// <summary>Takes one call from the caller's and the tool's buckets, or throws <c>rate_limited</c> with when to retry.</summary>
    public void AcquireCall(CallerIdentity caller, string tool)
    {
        Take(_perIdentity, caller.Key, $"Too many calls from '{caller.Name}'.");
        Take(_perTool, tool, $"Too many calls of '{tool}' on this server.");
    }

    public void Dispose()
    {
        _perIdentity?.Dispose();
        _perTool?.Dispose();
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
}
