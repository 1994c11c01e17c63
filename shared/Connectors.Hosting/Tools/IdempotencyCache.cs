using System.Security.Claims;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Redis;
using Connectors.Hosting.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Connectors.Hosting.Tools;

/// <summary>The value of a call made through <see cref="IdempotencyCache"/>; <see cref="Replayed"/> when it is the first call's.</summary>
public readonly record struct IdempotentResult<T>(T Value, bool Replayed, DateTimeOffset FirstCalledAt);

/// <summary>
/// Makes write tools safe to repeat: a call carrying an <c>idempotency_key</c> already seen (same caller, same tool,
/// within the TTL) returns the first call's result instead of acting twice. Concurrent repeats wait for the first.
/// A call whose outcome is unknown (timed out, cancelled, failed upstream after it may have been sent) is never re-run
/// under its key: the repeat answers <c>conflict</c> asking the caller to check first. A call the upstream definitely
/// refused (invalid, not found, denied, rate limited) forgets its key so it can be retried. Without <c>--redis</c> the
/// memory is this process's only; with it, keys are claimed in Redis and the results stored there, so a retry on another
/// replica replays too, and while Redis is unreachable a call with a key is refused (retryable) rather than risk acting twice.
/// </summary>
public sealed partial class IdempotencyCache(TimeProvider timeProvider, TimeSpan? timeToLive = null, int capacity = 10_000, RedisConnection? redis = null, TimeSpan? callDeadline = null)
{
    public const string ArgumentName = "idempotency_key";
    public const int MaxKeyLength = 200;

    private static readonly HashSet<string> DefiniteRefusals =
    [
        ErrorCodes.InvalidArgument, ErrorCodes.NotFound, ErrorCodes.PermissionDenied, ErrorCodes.Unauthenticated,
        ErrorCodes.RateLimited, ErrorCodes.Conflict, ErrorCodes.AlreadyExists,
    ];

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeToLive = timeToLive ?? TimeSpan.FromHours(1);

    public TimeSpan TimeToLive => _timeToLive;

    /// <summary>How a text result is stored for a replay (see <see cref="RunOnceAsync"/>).</summary>
    public static JsonTypeInfo<string> TextResult => HostingJsonContext.Default.String;

    /// <summary>How a yes/no result is stored for a replay (see <see cref="RunOnceAsync"/>).</summary>
    public static JsonTypeInfo<bool> FlagResult => HostingJsonContext.Default.Boolean;

    /// <summary>
    /// Runs <paramref name="action"/> once per key. <paramref name="fingerprint"/> describes the call's arguments (e.g. the
    /// target and the text): reusing a key for a different call is a <c>conflict</c>, not a silent replay.
    /// Without a key the action simply runs.
    /// </summary>
    /// <param name="resultType">How the result is stored in Redis for a replay on another replica.</param>
    public async Task<IdempotentResult<T>> RunOnceAsync<T>(
        string tool, string? key, string fingerprint, ClaimsPrincipal? user, Func<CancellationToken, Task<T>> action, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (key is null)
        {
            return new IdempotentResult<T>(await action(cancellationToken), false, now);
        }

        Validate(key);
        var id = $"{CallerIdentity.From(user)?.Key ?? "local"}\n{tool}\n{key}";
        if (redis is not null)
        {
            return await RunOnceSharedAsync(redis, id, key, fingerprint, action, resultType, cancellationToken);
        }

        Entry entry;
        bool first;
        lock (_entries)
        {
            if (_entries.TryGetValue(id, out var existing) && existing.ExpiresAt > now)
            {
                entry = existing;
                first = false;
            }
            else
            {
                entry = new Entry(fingerprint, now, now + _timeToLive);
                _entries[id] = entry;
                first = true;
                EvictIfFull(now);
            }
        }

        if (!first)
        {
            return await ReplayAsync<T>(entry, key, fingerprint, cancellationToken);
        }

        try
        {
            var value = await action(cancellationToken);
            entry.Completion.SetResult(value);
            return new IdempotentResult<T>(value, false, entry.CreatedAt);
        }
        catch (Exception ex)
        {
            if (ex is ConnectorException { Code: var code } && DefiniteRefusals.Contains(code))
            {
                lock (_entries)
                {
                    _entries.Remove(id);
                }
            }
            else
            {
                entry.UnknownOutcome = ex is ConnectorException connector ? connector.Code : ErrorCodes.Cancelled;
            }

            entry.Completion.SetException(ex);
            throw;
        }
    }

    private static async Task<IdempotentResult<T>> ReplayAsync<T>(Entry entry, string key, string fingerprint, CancellationToken cancellationToken)
    {
        if (!string.Equals(entry.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            throw ConnectorException.Conflict(
                $"{ArgumentName} '{key}' was already used for a different call; use a new key for a different call.");
        }

        object? value;
        try
        {
            value = await entry.Completion.Task.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.UnknownOutcome is { } outcome)
        {
            throw UnknownOutcome(key, outcome);
        }

        return new IdempotentResult<T>((T)value!, true, entry.CreatedAt);
    }

    private static ConnectorException UnknownOutcome(string key, string outcome) => ConnectorException.Conflict(
        $"The earlier call with {ArgumentName} '{key}' ended without a known outcome ({outcome}); it may have taken effect. " +
        "Check whether it did before retrying with a new key.");

    private static void Validate(string key)
    {
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            throw ConnectorException.InvalidArgument(ArgumentName, $"use 1 to {MaxKeyLength} printable ASCII characters without spaces (e.g. a UUID).");
        }
    }

    private void EvictIfFull(DateTimeOffset now)
    {
        if (_entries.Count <= capacity)
        {
            return;
        }

        foreach (var (id, _) in _entries.Where(e => e.Value.ExpiresAt <= now).ToList())
        {
            _entries.Remove(id);
        }

        // Still full of live keys: drop the oldest tenth rather than grow without bound.
        if (_entries.Count > capacity)
        {
            foreach (var (id, _) in _entries.OrderBy(e => e.Value.CreatedAt).Take(Math.Max(1, capacity / 10)).ToList())
            {
                _entries.Remove(id);
            }
        }
    }

    private sealed class Entry(string fingerprint, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        public string Fingerprint { get; } = fingerprint;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when the first call failed in a way that may still have acted (its error code).</summary>
        public volatile string? UnknownOutcome;
    }
}

public static class IdempotencyServiceCollectionExtensions
{
    /// <summary>Adds the process-wide <see cref="IdempotencyCache"/> that write tools taking an <c>idempotency_key</c> use.</summary>
    /// <remarks>With <c>--redis</c> it claims keys there; a claim outlives the tool's deadline by a margin before a repeat calls it lost.</remarks>
    public static IServiceCollection AddIdempotencyCache(this IServiceCollection services, TimeSpan? timeToLive = null)
    {
        services.TryAddSingleton(sp => new IdempotencyCache(
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            timeToLive,
            redis: sp.GetService<RedisConnection>(),
            callDeadline: sp.GetService<ConnectorSettings>() is { } settings
                ? TimeSpan.FromSeconds(settings.Get(CommonOptions.ToolTimeoutSeconds) + 5)
                : null));
        return services;
    }
}
