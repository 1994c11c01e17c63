using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Connectors.Hosting.Redis;

/// <summary>
/// The second level of a server's own caches (GitHub's answers by ETag, Slack's directory): the distributed Redis cache,
/// so a replica finds what another one already fetched. The servers' in-process caches stay the first level (their sizes
/// and lifetimes are theirs). Not HybridCache: Microsoft.Extensions.Caching.Hybrid 10.11.0 carries a reflection JSON
/// serializer that fails the Native AOT build, and with the servers' caches as the first level it would add only that.
/// Lookups that fail (Redis down or slow) count as misses and writes go in the background: a cache never stops a call.
/// </summary>
public sealed class SharedCache(IDistributedCache cache, RedisConnection redis)
{
    /// <summary>The value another replica stored under <paramref name="key"/>, or null.</summary>
    /// <param name="key">Unique within the server; say whose answer it is (the credential) when answers may differ by caller.</param>
    public async ValueTask<T?> GetAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (redis.Database is null)
        {
            return null;
        }

        try
        {
            var bytes = await cache.GetAsync(FullKey(key), cancellationToken);
            return bytes is null ? null : JsonSerializer.Deserialize(bytes, type);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "caches are per replica");
            return null;
        }
        catch (JsonException)
        {
            return null; // written by another version of the server: a miss
        }
    }

    /// <summary>Stores a value for the other replicas, in the background: the caller never waits on Redis.</summary>
    public void Put<T>(string key, T value, JsonTypeInfo<T> type, TimeSpan timeToLive)
    {
        if (redis.Database is null)
        {
            return;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        _ = StoreAsync(FullKey(key), bytes, timeToLive);
    }

    private async Task StoreAsync(string key, byte[] bytes, TimeSpan timeToLive)
    {
        try
        {
            await cache.SetAsync(key, bytes, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = timeToLive });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "caches are per replica");
        }
    }

    /// <summary>The deployment and server prefix, then the key hashed: no argument, name or credential appears in Redis.</summary>
    private string FullKey(string key) => $"{redis.KeyPrefix}cache:{RedisConnection.Hash(key)}";

    /// <summary>The distributed Redis cache, on the connection the rest uses.</summary>
    internal static void AddTo(IServiceCollection services)
    {
        services.AddStackExchangeRedisCache(_ => { });
        services.AddSingleton<IConfigureOptions<RedisCacheOptions>>(sp => new ConfigureOptions<RedisCacheOptions>(options =>
        {
            var connection = sp.GetRequiredService<RedisConnection>();
            options.ConnectionMultiplexerFactory = async () => await connection.Multiplexer;
        }));
        services.AddSingleton(sp => new SharedCache(sp.GetRequiredService<IDistributedCache>(), sp.GetRequiredService<RedisConnection>()));
    }
}
