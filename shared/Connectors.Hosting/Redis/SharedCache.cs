using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Connectors.Hosting.Redis;

/// <summary>
/// The second level of a server's own caches (GitHub's answers by ETag, Slack's directory): HybridCache over the shared
/// Redis, so a replica finds what another one already fetched. The servers keep their in-process caches as the first
/// level (their sizes and lifetimes stay theirs), so HybridCache's own in-process level is switched off here. Lookups
/// that fail (Redis down or slow) count as misses and writes are dropped: a cache never stops a call.
/// </summary>
public sealed class SharedCache(HybridCache cache, RedisConnection redis)
{
    private static readonly HybridCacheEntryOptions Lookup = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCacheWrite | HybridCacheEntryFlags.DisableUnderlyingData,
    };

    /// <summary>The value another replica stored under <paramref name="key"/>, or null.</summary>
    /// <param name="key">Unique within the server; say whose answer it is (the credential) when answers may differ by caller.</param>
    public async ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        if (redis.Database is null)
        {
            return null;
        }

        try
        {
            return await cache.GetOrCreateAsync<T?>(FullKey(key), _ => ValueTask.FromResult<T?>(null), Lookup, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "caches are per replica");
            return null;
        }
    }

    /// <summary>Stores a value for the other replicas, in the background: the caller never waits on Redis.</summary>
    public void Put<T>(string key, T value, TimeSpan timeToLive)
    {
        if (redis.Database is null)
        {
            return;
        }

        var options = new HybridCacheEntryOptions { Expiration = timeToLive, Flags = HybridCacheEntryFlags.DisableLocalCache };
        _ = StoreAsync(cache.SetAsync(FullKey(key), value, options));
    }

    private async Task StoreAsync(ValueTask store)
    {
        try
        {
            await store;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex, "caches are per replica");
        }
    }

    /// <summary>The deployment and server prefix, then the key hashed: no argument or name appears in Redis.</summary>
    private string FullKey(string key) => $"{redis.KeyPrefix}cache:{RedisConnection.Hash(key)}";

    /// <summary>
    /// Registers the second level when <c>--redis</c> is set, serializing the given types with source-generated JSON
    /// (Native AOT has no reflection serializer).
    /// </summary>
    public static void AddTypes(IServiceCollection services, JsonSerializerContext types) =>
        services.AddSingleton<IHybridCacheSerializerFactory>(new JsonSerializerFactory(types));

    /// <summary>HybridCache over the distributed Redis cache, on the connection the rest uses.</summary>
    internal static void AddTo(IServiceCollection services)
    {
        services.AddStackExchangeRedisCache(_ => { });
        services.AddSingleton<IConfigureOptions<RedisCacheOptions>>(sp => new ConfigureOptions<RedisCacheOptions>(options =>
        {
            var connection = sp.GetRequiredService<RedisConnection>();
            options.ConnectionMultiplexerFactory = async () => await connection.Multiplexer;
        }));
        services.AddHybridCache(options => options.MaximumPayloadBytes = 4 * 1024 * 1024);
        services.AddSingleton(sp => new SharedCache(sp.GetRequiredService<HybridCache>(), sp.GetRequiredService<RedisConnection>()));
    }

    /// <summary>Serializes the types a server's JSON context knows, with that context's own options (naming, …).</summary>
    private sealed class JsonSerializerFactory(JsonSerializerContext types) : IHybridCacheSerializerFactory
    {
        public bool TryCreateSerializer<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
        {
            serializer = types.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info ? new JsonSerializer<T>(info) : null;
            return serializer is not null;
        }
    }

    private sealed class JsonSerializer<T>(JsonTypeInfo<T> info) : IHybridCacheSerializer<T>
    {
        public T Deserialize(ReadOnlySequence<byte> source)
        {
            var reader = new Utf8JsonReader(source);
            return JsonSerializer.Deserialize(ref reader, info)!;
        }

        public void Serialize(T value, IBufferWriter<byte> target)
        {
            using var writer = new Utf8JsonWriter(target);
            JsonSerializer.Serialize(writer, value, info);
        }
    }
}
