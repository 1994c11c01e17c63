using System.Security.Cryptography;
using System.Text;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Connectors.Hosting.Redis;

/// <summary>
/// The connection to the Redis the replicas share, made in the background and remade by the client after an outage.
/// Commands fail at once while it is down (no backlog) and within <see cref="CommandTimeout"/> when it is slow, so a
/// caller can fall back or refuse instead of hanging. Keys are <c>connectors:&lt;namespace&gt;:&lt;server&gt;:…</c>.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    /// <summary>How long one command may take before it counts as a failure (the fallback then applies).</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    private readonly Task<ConnectionMultiplexer> _connecting;
    private readonly ILogger _logger;
    private int _failing;

    internal RedisConnection(ConfigurationOptions options, string keyPrefix, ILogger logger)
    {
        KeyPrefix = keyPrefix;
        _logger = logger;
        Endpoint = string.Join(", ", options.EndPoints.Select(e => e.ToString()));
        options.AbortOnConnectFail = false; // start (and serve reads) while Redis is down; the client keeps reconnecting
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = options.AsyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        options.ClientName ??= keyPrefix.TrimEnd(':');
        _connecting = Task.Run(() => ConnectionMultiplexer.ConnectAsync(options));
    }

    /// <summary>host:port of the server(s), for messages (never the password).</summary>
    public string Endpoint { get; }

    /// <summary>Prefix of every key this server writes: its deployment namespace and its name.</summary>
    public string KeyPrefix { get; }

    /// <summary>The database when connected now; null while connecting or down, when callers use their fallback.</summary>
    public IDatabase? Database =>
        _connecting is { IsCompletedSuccessfully: true, Result: { IsConnected: true } multiplexer } ? multiplexer.GetDatabase() : null;

    /// <summary>The multiplexer once made (connected or not), for the distributed cache.</summary>
    internal Task<ConnectionMultiplexer> Multiplexer => _connecting;

    /// <summary>A key of this server: the prefix, a kind and an id hashed so identities and arguments stay out of Redis.</summary>
    public RedisKey Key(string kind, string id) => $"{KeyPrefix}{kind}:{Hash(id)}";

    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    /// <summary>Logs the first failure of an outage (not every call) and the recovery after it.</summary>
    internal void ReportFailure(Exception exception, string fallback)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            _logger.LogWarning("Redis at {Endpoint} failed ({Reason}); {Fallback} until it answers again", Endpoint, exception.GetType().Name, fallback);
        }
    }

    internal void ReportSuccess()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1)
        {
            _logger.LogInformation("Redis at {Endpoint} answers again: limits, idempotency keys and caches are shared again", Endpoint);
        }
    }

    internal async Task<HealthCheckResult> CheckAsync()
    {
        if (Database is not { } database)
        {
            return HealthCheckResult.Degraded($"Redis at {Endpoint} is unreachable: rate limits count per replica and writes with an idempotency_key are refused until it is back.");
        }

        try
        {
            var latency = await database.PingAsync();
            ReportSuccess();
            return HealthCheckResult.Healthy($"Redis at {Endpoint} shared with the other replicas (ping {latency.TotalMilliseconds:0.#} ms).");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded($"Redis at {Endpoint} does not answer ({ex.GetType().Name}): rate limits count per replica and writes with an idempotency_key are refused until it is back.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await (await _connecting).DisposeAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Never connected: nothing to close.
        }
    }

    /// <summary>Adds the shared Redis when <c>--redis</c> is set, with its /readyz check and <see cref="SharedCache"/>; nothing otherwise.</summary>
    internal static void AddTo(IServiceCollection services, ConnectorSettings settings, string serverName)
    {
        var connection = settings.Get(RedisOptions.Connection);
        if (connection.Length == 0)
        {
            return;
        }

        RedisOptions.TryParse(connection, out var options);
        var prefix = $"connectors:{settings.Get(RedisOptions.Namespace)}:{serverName}:";
        services.AddSingleton(sp => new RedisConnection(options, prefix, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Connectors.Redis")));
        SharedCache.AddTo(services);
        // Degraded, not unhealthy: the replica still serves reads, so it stays in rotation.
        services.AddHealthChecks().AddAsyncCheck("redis", (sp, _) => sp.GetRequiredService<RedisConnection>().CheckAsync(), [ConnectorHealth.Ready]);
    }
}
