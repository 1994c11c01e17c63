using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Redis;
using Connectors.Hosting.Tools;
using Connectors.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Hosting.Tests.Redis;

/// <summary>Two caches sharing one real Redis stand for two replicas.</summary>
public sealed class SharedIdempotencyTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly JsonTypeInfo<string> Text = IdempotencyCache.TextResult;

    internal static async Task<RedisConnection> ConnectAsync(RedisServer redis, string name)
    {
        RedisOptions.TryParse(redis.ConnectionString, out var options);
        var connection = new RedisConnection(options, $"connectors:test-{Guid.NewGuid():N}:{name}:", NullLogger.Instance);
        await WaitUntilAsync(() => connection.Database is not null);
        return connection;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 20 s");
            await Task.Delay(50);
        }
    }

    private async Task<(IdempotencyCache A, IdempotencyCache B, RedisConnection Connection)> TwoReplicasAsync()
    {
        var connection = await ConnectAsync(redis, "github");
        return (new IdempotencyCache(TimeProvider.System, redis: connection), new IdempotencyCache(TimeProvider.System, redis: connection), connection);
    }

    [Fact]
    public async Task A_key_used_on_one_replica_replays_on_another_without_acting_again()
    {
        var (a, b, connection) = await TwoReplicasAsync();
        await using var _ = connection;
        var calls = 0;
        var first = await a.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult($"posted {++calls}"), Text, CancellationToken.None);
        var second = await b.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult($"posted {++calls}"), Text, CancellationToken.None);
        Assert.Equal(1, calls);
        Assert.Equal("posted 1", second.Value);
        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Equal(first.FirstCalledAt.ToUnixTimeMilliseconds(), second.FirstCalledAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Concurrent_repeats_on_two_replicas_act_once_and_all_get_the_first_result()
    {
        var (a, b, connection) = await TwoReplicasAsync();
        await using var _ = connection;
        var calls = 0;
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).RunOnceAsync("post", "k", "f", null, async ct =>
        {
            var n = Interlocked.Increment(ref calls);
            await Task.Delay(300, ct);
            return $"posted {n}";
        }, Text, CancellationToken.None)));
        Assert.Equal(1, calls);
        Assert.All(results, r => Assert.Equal("posted 1", r.Value));
        Assert.Equal(9, results.Count(r => r.Replayed));
    }

    [Fact]
    public async Task A_key_reused_for_other_arguments_on_another_replica_is_a_conflict()
    {
        var (a, b, connection) = await TwoReplicasAsync();
        await using var _ = connection;
        await a.RunOnceAsync("post", "k", "C1:hello", null, _ => Task.FromResult("x"), Text, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ConnectorException>(() => b.RunOnceAsync("post", "k", "C2:other", null, _ => Task.FromResult("y"), Text, CancellationToken.None));
        Assert.Equal(ErrorCodes.Conflict, error.Code);
    }

    [Fact]
    public async Task A_refused_call_lets_its_key_go_and_an_unknown_outcome_keeps_it_on_every_replica()
    {
        var (a, b, connection) = await TwoReplicasAsync();
        await using var _ = connection;
        await Assert.ThrowsAsync<ConnectorException>(() => a.RunOnceAsync<string>("post", "refused", "f", null, _ => throw ConnectorException.NotFound("no channel"), Text, CancellationToken.None));
        Assert.Equal("retried", (await b.RunOnceAsync("post", "refused", "f", null, _ => Task.FromResult("retried"), Text, CancellationToken.None)).Value);

        await Assert.ThrowsAsync<ConnectorException>(() => a.RunOnceAsync<string>("post", "lost", "f", null, _ => throw ConnectorException.Timeout("no answer"), Text, CancellationToken.None));
        var calls = 0;
        var error = await Assert.ThrowsAsync<ConnectorException>(() => b.RunOnceAsync("post", "lost", "f", null, _ => Task.FromResult($"{++calls}"), Text, CancellationToken.None));
        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Nothing_about_the_caller_or_the_call_is_stored_in_clear()
    {
        var (a, _, connection) = await TwoReplicasAsync();
        await using var __ = connection;
        await a.RunOnceAsync("post", "key-in-clear", "C1:fingerprint-in-clear", null, _ => Task.FromResult("result"), Text, CancellationToken.None);
        var server = (await connection.Multiplexer).GetServers().Single();
        var keys = server.Keys(pattern: connection.KeyPrefix + "*").Select(k => (string)k!).ToList();
        var key = Assert.Single(keys);
        Assert.DoesNotContain("key-in-clear", key, StringComparison.Ordinal);
        Assert.DoesNotContain("fingerprint-in-clear", (string)(await connection.Database!.StringGetAsync(key))!, StringComparison.Ordinal);
    }
}
