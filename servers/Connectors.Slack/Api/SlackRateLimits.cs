using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Connectors.Slack.Api;

/// <summary>
/// Proactive per-method token buckets matching Slack's rate-limit tiers (per method, per token), plus what Slack itself
/// said with 429 <c>Retry-After</c>. A busy agent waits a little for a token; one that would wait longer than
/// <see cref="MaxWait"/> is refused with <c>rate_limited</c> at once, so Slack never sees the excess and never bans the app.
/// </summary>
internal sealed class SlackRateLimits(TimeProvider time, TimeSpan maxWait) : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pausedUntil = new(StringComparer.Ordinal);

    public TimeSpan MaxWait { get; } = maxWait;

    /// <summary>Calls per minute and burst of a method, from Slack's published tiers.</summary>
    public static (int PerMinute, int Burst) LimitOf(string method) => method switch
    {
        // Special tier: about one message per second per channel, short bursts tolerated.
        "chat.postMessage" => (60, 3),
        "users.info" or "auth.test" => Tier4,
        "conversations.history" or "conversations.replies" or "conversations.info" or "users.lookupByEmail" or "reactions.add" => Tier3,
        "conversations.list" or "users.list" or "search.messages" => Tier2,
        _ => Tier1,
    };

    private static readonly (int, int) Tier1 = (1, 1);
    private static readonly (int, int) Tier2 = (20, 5);
    private static readonly (int, int) Tier3 = (50, 12);
    private static readonly (int, int) Tier4 = (100, 25);

    /// <summary>Waits for the method's budget (or refuses with <c>rate_limited</c>); <paramref name="scope"/> separates tokens and, for posts, channels.</summary>
    public async ValueTask AcquireAsync(string method, string scope, CancellationToken cancellationToken)
    {
        var key = $"{scope}\n{method}";
        await WaitOutPauseAsync(method, key, cancellationToken);

        var bucket = _buckets.GetOrAdd(key, _ => Create(method));
        using var lease = bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : MaxWait + TimeSpan.FromSeconds(1);
        if (wait > MaxWait)
        {
            throw Refused(method, wait);
        }

        using var queued = await bucket.AcquireAsync(1, cancellationToken);
        if (!queued.IsAcquired)
        {
            throw Refused(method, wait);
        }
    }

    /// <summary>
    /// Takes a token only when one is free this instant (no 429 pause, nobody queued): for work an answer can do without,
    /// such as looking up names, which must never make a read wait.
    /// </summary>
    public bool TryAcquireNow(string method, string scope)
    {
        var key = $"{scope}\n{method}";
        if (_pausedUntil.TryGetValue(key, out var until) && until > time.GetUtcNow())
        {
            return false;
        }

        using var lease = _buckets.GetOrAdd(key, _ => Create(method)).AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>Slack answered 429: no call of this method goes out (from this token) until Retry-After has passed.</summary>
    public void Pause(string method, string scope, TimeSpan retryAfter) =>
        _pausedUntil[$"{scope}\n{method}"] = time.GetUtcNow() + retryAfter;

    public static ConnectorException Refused(string method, TimeSpan wait) => ConnectorException.RateLimited(
        $"Slack's rate limit for {method} is used up for now; this server holds calls back so the app is not blocked.",
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));

    private async ValueTask WaitOutPauseAsync(string method, string key, CancellationToken cancellationToken)
    {
        if (!_pausedUntil.TryGetValue(key, out var until))
        {
            return;
        }

        var remaining = until - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            _pausedUntil.TryRemove(KeyValuePair.Create(key, until));
            return;
        }

        if (remaining > MaxWait)
        {
            throw Refused(method, remaining);
        }

        await Task.Delay(remaining, time, cancellationToken);
    }

    private TokenBucketRateLimiter Create(string method)
    {
        var (perMinute, burst) = LimitOf(method);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = 1,
            // The burst comes out of the minute's budget, so no 60-second window ever holds more than the tier allows.
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, perMinute - burst),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
