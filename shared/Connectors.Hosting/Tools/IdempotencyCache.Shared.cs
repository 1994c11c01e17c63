using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Redis;
using StackExchange.Redis;

namespace Connectors.Hosting.Tools;

/// <summary>Idempotency keys claimed in the Redis the replicas share (<c>--redis</c>).</summary>
public sealed partial class IdempotencyCache
{
    private const string Pending = "pending";
    private const string Done = "done";
    private const string Unknown = "unknown";

    /// <summary>How often a repeat looks whether the call that holds its key (on any replica) has finished.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The key is claimed with SET NX GET (one replica wins, atomically), the result replaces the claim, and a definite refusal
    /// deletes it. A claim still pending past the call deadline belongs to a call that died mid-way: its outcome is unknown.
    /// </summary>
    private async Task<IdempotentResult<T>> RunOnceSharedAsync<T>(
        RedisConnection redis, string id, string key, string fingerprint, Func<CancellationToken, Task<T>> action, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        var recordKey = redis.Key("idempotency", id);
        var fingerprintHash = RedisConnection.Hash(fingerprint);
        var deadline = callDeadline ?? TimeSpan.FromMinutes(2);
        while (true)
        {
            var now = timeProvider.GetUtcNow();
            var claim = new Record(Pending, fingerprintHash, now, now + deadline, null, null);
            if (redis.Database is not { } database)
            {
                throw SharedStoreUnavailable();
            }

            // SET NX GET (Redis 7.0 and newer): one round trip claims the key, or answers what holds it.
            RedisValue holder;
            try
            {
                holder = await database.StringSetAndGetAsync(recordKey, claim.ToString(), _timeToLive, When.NotExists, CommandFlags.None);
                redis.ReportSuccess();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                redis.ReportFailure(ex, "writes with an idempotency_key are refused");
                throw SharedStoreUnavailable();
            }

            if (holder.IsNull)
            {
                // Outside the try above: whatever the call throws is its own outcome, never "Redis was unreachable".
                return await RunClaimedAsync(redis, recordKey, claim, action, resultType, cancellationToken);
            }

            var existing = Record.Parse(holder)!; // only an empty value parses to null, and no claim is empty

            if (!string.Equals(existing.Fingerprint, fingerprintHash, StringComparison.Ordinal))
            {
                throw ConnectorException.Conflict($"{ArgumentName} '{key}' was already used for a different call; use a new key for a different call.");
            }

            switch (existing.State)
            {
                case Done:
                    return new IdempotentResult<T>(JsonSerializer.Deserialize(existing.Value!, resultType)!, true, existing.CreatedAt);
                case Unknown:
                    throw UnknownOutcome(key, existing.Outcome ?? ErrorCodes.Cancelled);
                case Pending when timeProvider.GetUtcNow() > existing.Deadline:
                    throw UnknownOutcome(key, ErrorCodes.Timeout);
                default:
                    await Task.Delay(PollInterval, timeProvider, cancellationToken);
                    break;
            }
        }
    }

    private static ConnectorException SharedStoreUnavailable() => ConnectorException.UpstreamUnavailable(
        $"The shared store of idempotency keys (Redis) cannot be reached, so this call could not be made safe to repeat; nothing was done. Retry in a few seconds with the same {ArgumentName}.",
        retryAfterSeconds: 2);

    private async Task<IdempotentResult<T>> RunClaimedAsync<T>(
        RedisConnection redis, RedisKey recordKey, Record claim, Func<CancellationToken, Task<T>> action, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        T value;
        try
        {
            value = await action(cancellationToken);
        }
        catch (Exception ex)
        {
            // Not the caller's token: the record must follow the outcome even when the call was cancelled.
            await StoreAsync(redis, recordKey, ex is ConnectorException { Code: var code } && DefiniteRefusals.Contains(code)
                ? null
                : claim with { State = Unknown, Outcome = ex is ConnectorException connector ? connector.Code : ErrorCodes.Cancelled });
            throw;
        }

        await StoreAsync(redis, recordKey, claim with { State = Done, Value = JsonSerializer.Serialize(value, resultType) });
        return new IdempotentResult<T>(value, false, claim.CreatedAt);
    }

    /// <summary>
    /// Replaces the claim with the outcome (null: lets the key go). When Redis fails here the claim stays pending and
    /// repeats answer "unknown outcome" after the deadline: never a second write.
    /// </summary>
    private async Task StoreAsync(RedisConnection redis, RedisKey recordKey, Record? outcome)
    {
        if (redis.Database is not { } database)
        {
            return; // down since the claim: the claim stays pending, as above
        }

        try
        {
            if (outcome is null)
            {
                await database.KeyDeleteAsync(recordKey);
            }
            else
            {
                var left = outcome.CreatedAt + _timeToLive - timeProvider.GetUtcNow();
                await database.StringSetAsync(recordKey, outcome.ToString(), left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "writes with an idempotency_key are refused");
        }
    }

    /// <summary>One key's record in Redis: lines of state, fingerprint hash, times (Unix ms), outcome code, result JSON.</summary>
    private sealed record Record(string State, string Fingerprint, DateTimeOffset CreatedAt, DateTimeOffset Deadline, string? Outcome, string? Value)
    {
        public override string ToString() => string.Join('\n',
            State, Fingerprint, CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Outcome ?? "", Value ?? "");

        public static Record? Parse(RedisValue stored)
        {
            if (stored.IsNullOrEmpty)
            {
                return null;
            }

            // Serialized JSON holds no raw line break, so the result is the whole sixth part.
            var parts = ((string)stored!).Split('\n', 6);
            return new Record(
                parts[0], parts[1],
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[2], CultureInfo.InvariantCulture)),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[3], CultureInfo.InvariantCulture)),
                parts[4].Length == 0 ? null : parts[4],
                parts[5].Length == 0 ? null : parts[5]);
        }
    }
}
