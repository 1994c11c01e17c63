using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Tools;

namespace Connectors.Hosting.Tests;

public sealed class IdempotencyCacheTests
{
    private static readonly JsonTypeInfo<int> IntResult = IdempotencyTestJson.Default.Int32;

    private readonly ManualClock _clock = new();

    [Fact]
    public async Task A_repeated_key_returns_the_first_result_without_acting_again()
    {
        var cache = new IdempotencyCache(_clock);
        var calls = 0;
        var first = await cache.RunOnceAsync("post", "k1", "C1:hello", null, _ => Task.FromResult(++calls), IntResult, CancellationToken.None);
        var second = await cache.RunOnceAsync("post", "k1", "C1:hello", null, _ => Task.FromResult(++calls), IntResult, CancellationToken.None);
        Assert.Equal(1, calls);
        Assert.Equal(1, second.Value);
        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
    }

    [Fact]
    public async Task Concurrent_repeats_wait_for_the_first_call()
    {
        var cache = new IdempotencyCache(_clock);
        var release = new TaskCompletionSource<int>();
        var calls = 0;
        var first = cache.RunOnceAsync("post", "k", "f", null, _ => { calls++; return release.Task; }, IntResult, CancellationToken.None);
        var second = cache.RunOnceAsync("post", "k", "f", null, _ => { calls++; return Task.FromResult(-1); }, IntResult, CancellationToken.None);
        release.SetResult(7);
        Assert.Equal(7, (await first).Value);
        Assert.Equal(7, (await second).Value);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_key_reused_for_different_arguments_is_a_conflict()
    {
        var cache = new IdempotencyCache(_clock);
        await cache.RunOnceAsync("post", "k", "C1:hello", null, _ => Task.FromResult(1), IntResult, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            cache.RunOnceAsync("post", "k", "C2:other", null, _ => Task.FromResult(2), IntResult, CancellationToken.None));
        Assert.Equal(ErrorCodes.Conflict, error.Code);
    }

    [Fact]
    public async Task A_call_the_upstream_refused_forgets_its_key_so_it_can_be_retried()
    {
        var cache = new IdempotencyCache(_clock);
        await Assert.ThrowsAsync<ConnectorException>(() => cache.RunOnceAsync<int>("post", "k", "f", null,
            _ => throw ConnectorException.RateLimited("slow down", 5), IntResult, CancellationToken.None));
        var retry = await cache.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult(3), IntResult, CancellationToken.None);
        Assert.Equal(3, retry.Value);
        Assert.False(retry.Replayed);
    }

    [Fact]
    public async Task A_call_with_an_unknown_outcome_is_never_rerun_under_its_key()
    {
        var cache = new IdempotencyCache(_clock);
        await Assert.ThrowsAsync<ConnectorException>(() => cache.RunOnceAsync<int>("post", "k", "f", null,
            _ => throw ConnectorException.Timeout("no answer"), IntResult, CancellationToken.None));
        var calls = 0;
        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            cache.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult(++calls), IntResult, CancellationToken.None));
        Assert.Equal(ErrorCodes.Conflict, error.Code);
        Assert.Contains("may have taken effect", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Keys_expire_after_their_time_to_live()
    {
        var cache = new IdempotencyCache(_clock, TimeSpan.FromMinutes(10));
        await cache.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult(1), IntResult, CancellationToken.None);
        _clock.Now += TimeSpan.FromMinutes(11);
        var later = await cache.RunOnceAsync("post", "k", "f", null, _ => Task.FromResult(2), IntResult, CancellationToken.None);
        Assert.Equal(2, later.Value);
    }

    [Fact]
    public async Task The_same_key_on_another_tool_is_another_call()
    {
        var cache = new IdempotencyCache(_clock);
        await cache.RunOnceAsync("create_issue", "k", "f", null, _ => Task.FromResult(1), IntResult, CancellationToken.None);
        var other = await cache.RunOnceAsync("add_issue_comment", "k", "f", null, _ => Task.FromResult(2), IntResult, CancellationToken.None);
        Assert.Equal(2, other.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ключ")]
    public async Task A_malformed_key_is_an_invalid_argument(string key)
    {
        var cache = new IdempotencyCache(_clock);
        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            cache.RunOnceAsync("post", key, "f", null, _ => Task.FromResult(1), IntResult, CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Equal(IdempotencyCache.ArgumentName, error.Argument);
    }

    [Fact]
    public async Task The_cache_stays_within_its_capacity()
    {
        var cache = new IdempotencyCache(_clock, capacity: 100);
        for (var i = 0; i < 1_000; i++)
        {
            await cache.RunOnceAsync("post", $"k{i}", "f", null, _ => Task.FromResult(i), IntResult, CancellationToken.None);
            _clock.Now += TimeSpan.FromMilliseconds(1);
        }

        var newest = await cache.RunOnceAsync("post", "k999", "f", null, _ => Task.FromResult(-1), IntResult, CancellationToken.None);
        Assert.True(newest.Replayed);
        var oldest = await cache.RunOnceAsync("post", "k0", "f", null, _ => Task.FromResult(-1), IntResult, CancellationToken.None);
        Assert.False(oldest.Replayed);
    }
}

[JsonSerializable(typeof(int))]
internal sealed partial class IdempotencyTestJson : JsonSerializerContext;
