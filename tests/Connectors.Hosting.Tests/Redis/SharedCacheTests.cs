using System.Text.Json.Serialization;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Redis;
using Connectors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting.Tests.Redis;

public sealed class SharedCacheTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<CachedThing> Thing = SharedCacheTestJson.Default.CachedThing;

    /// <summary>A replica's services as the server builds them with --redis, connected.</summary>
    private async Task<ServiceProvider> ReplicaAsync(string deployment)
    {
        var services = new ServiceCollection().AddLogging();
        var settings = ConnectorSettings.From(new Dictionary<ConnectorOption, object?>
        {
            [RedisOptions.Connection] = redis.ConnectionString,
            [RedisOptions.Namespace] = deployment,
        });
        RedisConnection.AddTo(services, settings, "connectors-test");
        var provider = services.BuildServiceProvider();
        var connection = provider.GetRequiredService<RedisConnection>();
        await SharedIdempotencyTests.WaitUntilAsync(() => connection.Database is not null);
        return provider;
    }

    [Fact]
    public async Task What_one_replica_puts_another_of_the_same_deployment_gets_and_no_other_deployment_does()
    {
        var deployment = $"d{Guid.NewGuid():N}";
        await using var a = await ReplicaAsync(deployment);
        await using var b = await ReplicaAsync(deployment);
        await using var other = await ReplicaAsync(deployment + "-other");
        a.GetRequiredService<SharedCache>().Put("scope\nrepos/x", new CachedThing("etag-1", [1, 2, 3]), Thing, TimeSpan.FromMinutes(1));

        CachedThing? found = null;
        await SharedIdempotencyTests.WaitUntilAsync(() =>
            (found = b.GetRequiredService<SharedCache>().GetAsync("scope\nrepos/x", Thing, CancellationToken.None).AsTask().Result) is not null);
        Assert.Equal("etag-1", found!.ETag);
        Assert.Equal([1, 2, 3], found.Body);
        Assert.Null(await b.GetRequiredService<SharedCache>().GetAsync("other scope\nrepos/x", Thing, CancellationToken.None));
        Assert.Null(await other.GetRequiredService<SharedCache>().GetAsync("scope\nrepos/x", Thing, CancellationToken.None));
    }
}

public sealed record CachedThing(string ETag, byte[] Body);

[JsonSerializable(typeof(CachedThing))]
internal sealed partial class SharedCacheTestJson : JsonSerializerContext;
