using System.Threading.RateLimiting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Redis;
using StackExchange.Redis;

namespace Connectors.Hosting.Security;

/// <summary>
/// Quotas on tool calls, on every transport: a token bucket per identity and one per tool, answered with a
/// <c>rate_limited</c> tool error. Each is off unless set. With <c>--redis</c> the buckets live in Redis and count the
/// calls of every replica; while Redis is unreachable each replica falls back to its own buckets (the same sizes), so
/// calls go on, limited per replica. (The HTTP cap on one identity's requests in flight is ASP.NET Core rate limiting
/// on the endpoint: <see cref="Http.McpHttpEndpoint"/>.)
/// </summary>
internal sealed class CallLimits : IDisposable
{
    // One round trip takes from both buckets, or from neither. Redis's clock (TIME) is the one clock of all replicas.
    // KEYS: the buckets; ARGV: per bucket its capacity and milliseconds per token. Returns {0, 0}, or the empty
    // bucket's position and how many ms until it holds a token.
    private const string TakeScript = """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local levels = {}
        for i, key in ipairs(KEYS) do
          local capacity = tonumber(ARGV[2 * i - 1])
          local per = tonumber(ARGV[2 * i])
          local state = redis.call('HMGET', key, 'tokens', 'at')
          local tokens = tonumber(state[1]) or capacity
          local at = tonumber(state[2]) or now
          tokens = math.min(capacity, tokens + math.max(0, now - at) / per)
          if tokens < 1 then
            return {i, math.ceil((1 - tokens) * per)}
          end
          levels[i] = tokens
        end
        for i, key in ipairs(KEYS) do
          local capacity = tonumber(ARGV[2 * i - 1])
          local per = tonumber(ARGV[2 * i])
          redis.call('HSET', key, 'tokens', tostring(levels[i] - 1), 'at', now)
          redis.call('PEXPIRE', key, math.ceil(capacity * per) + 1000)
        end
        return {0, 0}
        """;

    private readonly Buckets? _perIdentity;
    private readonly Buckets? _perTool;
    private readonly RedisConnection? _redis;

    public CallLimits(ConnectorSettings settings, RedisConnection? redis = null)
    {
        _perIdentity = Buckets.Create(settings.Get(SecurityOptions.IdentityCallsPerMinute), settings.Get(SecurityOptions.IdentityBurst));
        _perTool = Buckets.Create(settings.Get(SecurityOptions.ToolCallsPerMinute), settings.Get(SecurityOptions.ToolBurst));
        _redis = redis;
    }

    /// <summary>Takes one call from the caller's and the tool's buckets, or throws <c>rate_limited</c> with when to retry.</summary>
    public async ValueTask AcquireCallAsync(CallerIdentity caller, string tool)
    {
        if (_perIdentity is null && _perTool is null)
        {
            return;
        }

        if (_redis?.Database is { } database && await TryTakeSharedAsync(database, _redis, caller, tool))
        {
            return;
        }

        Take(_perIdentity, caller.Key, IdentityMessage(caller));
        Take(_perTool, tool, ToolMessage(tool));
    }

    public void Dispose()
    {
        _perIdentity?.Limiter.Dispose();
        _perTool?.Limiter.Dispose();
    }

    private static string IdentityMessage(CallerIdentity caller) => $"Too many calls from '{caller.Name}'.";

    private static string ToolMessage(string tool) => $"Too many calls of '{tool}' on this server.";

    /// <summary>False when Redis failed: the caller then counts in this process.</summary>
    private async Task<bool> TryTakeSharedAsync(IDatabase database, RedisConnection redis, CallerIdentity caller, string tool)
    {
        var keys = new List<RedisKey>(2);
        var args = new List<RedisValue>(4);
        var messages = new List<string>(2);
        // A hash tag keeps both buckets in one slot, as a script on a Redis cluster needs.
        foreach (var (buckets, kind, id, message) in new[] { (_perIdentity, "identity", caller.Key, IdentityMessage(caller)), (_perTool, "tool", tool, ToolMessage(tool)) })
        {
            if (buckets is not null)
            {
                keys.Add($"{{{redis.KeyPrefix}limits}}:{kind}:{RedisConnection.Hash(id)}");
                args.Add(buckets.Capacity);
                args.Add(buckets.MillisecondsPerToken);
                messages.Add(message);
            }
        }

        RedisResult[] answer;
        try
        {
            answer = (RedisResult[])(await database.ScriptEvaluateAsync(TakeScript, [.. keys], [.. args]))!;
            redis.ReportSuccess();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "rate limits count in each replica");
            return false;
        }

        if ((int)answer[0] is var empty and > 0)
        {
            throw ConnectorException.RateLimited(messages[empty - 1], Math.Max(1, (int)Math.Ceiling((long)answer[1] / 1000.0)));
        }

        return true;
    }

    private static void Take(Buckets? buckets, string key, string message)
    {
        if (buckets is null)
        {
            return;
        }

        using var lease = buckets.Limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            throw ConnectorException.RateLimited(message, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
        }
    }

    /// <summary>Token buckets of one size, partitioned by key; the same size in process and in Redis.</summary>
    private sealed record Buckets(int Capacity, double MillisecondsPerToken, PartitionedRateLimiter<string> Limiter)
    {
        public static Buckets? Create(int perMinute, int burst)
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
            return new Buckets(
                options.TokenLimit,
                options.ReplenishmentPeriod.TotalMilliseconds,
                PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => options)));
        }
    }
}
