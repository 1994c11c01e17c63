using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Security;
using Connectors.Testing;

namespace Connectors.Hosting.Tests.Redis;

public sealed class SharedCallLimitsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly CallerIdentity Alice = new("alice", SecurityOptions.AuthApiKey, new HashSet<string>());

    private static ConnectorSettings Limits(int perMinute, int burst) => ConnectorSettings.From(new Dictionary<ConnectorOption, object?>
    {
        [SecurityOptions.IdentityCallsPerMinute] = perMinute,
        [SecurityOptions.IdentityBurst] = burst,
    });

    private static async Task<int> CountServedAsync(IReadOnlyList<CallLimits> replicas, int calls)
    {
        var served = 0;
        for (var i = 0; i < calls; i++)
        {
            try
            {
                await replicas[i % replicas.Count].AcquireCallAsync(Alice, "echo");
                served++;
            }
            catch (ConnectorException ex) when (ex.Code == ErrorCodes.RateLimited)
            {
                Assert.InRange(ex.RetryAfterSeconds ?? 0, 1, 60);
            }
        }

        return served;
    }

    [Fact]
    public async Task Three_replicas_share_one_bucket_per_identity()
    {
        await using var connection = await SharedIdempotencyTests.ConnectAsync(redis, "testserver");
        var replicas = Enumerable.Range(0, 3).Select(_ => new CallLimits(Limits(60, 10), connection)).ToList();
        Assert.InRange(await CountServedAsync(replicas, 30), 10, 11);
    }

    [Fact]
    public async Task While_Redis_is_down_each_replica_counts_alone_and_shares_again_after()
    {
        await using var connection = await SharedIdempotencyTests.ConnectAsync(redis, "testserver");
        var replicas = Enumerable.Range(0, 3).Select(_ => new CallLimits(Limits(6, 5), connection)).ToList();
        try
        {
            await redis.StopAsync();
            await SharedIdempotencyTests.WaitUntilAsync(() => connection.Database is null);
            Assert.Equal(15, await CountServedAsync(replicas, 30));
        }
        finally
        {
            await redis.StartAsync();
        }

        await SharedIdempotencyTests.WaitUntilAsync(() => connection.Database is not null);
        var fresh = Enumerable.Range(0, 3).Select(_ => new CallLimits(Limits(6, 5), connection)).ToList();
        Assert.Equal(5, await CountServedAsync(fresh, 30));
    }
}
