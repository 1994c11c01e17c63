using Connectors.Hosting.Errors;
using Connectors.Hosting.Resilience;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Hosting.Tests;

public sealed class UpstreamResilienceTests
{
    private static (UpstreamResilience Resilience, ManualClock Clock) Create(UpstreamPolicy policy)
    {
        var clock = new ManualClock();
        var resilience = new UpstreamResilience(clock, NullLogger<UpstreamResilience>.Instance);
        resilience.Configure("db", policy);
        return (resilience, clock);
    }

    private static readonly UpstreamPolicy Fast = new()
    {
        FailureThreshold = 3,
        BreakDuration = TimeSpan.FromSeconds(30),
        MaxRetries = 0,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        Deadline = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task The_circuit_opens_after_consecutive_failures_and_answers_at_once_with_retry_after()
    {
        var (resilience, _) = Create(Fast);
        var calls = 0;
        ValueTask<int> Failing(CancellationToken _)
        {
            calls++;
            throw new HttpRequestException("connection refused");
        }

        for (var i = 0; i < 3; i++)
        {
            var failure = await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, Failing, default));
            Assert.Equal(ErrorCodes.UpstreamUnavailable, failure.Code);
        }

        var open = await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, Failing, default));
        Assert.Equal(ErrorCodes.UpstreamUnavailable, open.Code);
        Assert.Equal(30, open.RetryAfterSeconds);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task After_the_break_one_probe_closes_the_circuit_when_it_succeeds()
    {
        var (resilience, clock) = Create(Fast);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync<int>("db", UpstreamCallKind.Read, _ => throw new TimeoutException(), default));
        }

        clock.Now += TimeSpan.FromSeconds(31);
        Assert.Equal(7, await resilience.ExecuteAsync("db", UpstreamCallKind.Read, _ => ValueTask.FromResult(7), default));
        Assert.Equal(8, await resilience.ExecuteAsync("db", UpstreamCallKind.Read, _ => ValueTask.FromResult(8), default));
    }

    [Fact]
    public async Task A_failed_probe_opens_the_circuit_again()
    {
        var (resilience, clock) = Create(Fast);
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync<int>("db", UpstreamCallKind.Read, _ => throw new IOException(), default));
        }

        clock.Now += TimeSpan.FromSeconds(31);
        await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync<int>("db", UpstreamCallKind.Read, _ => throw new IOException(), default));
        var calledWhileOpen = false;
        var open = await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, _ =>
        {
            calledWhileOpen = true;
            return ValueTask.FromResult(1);
        }, default));
        Assert.False(calledWhileOpen);
        Assert.NotNull(open.RetryAfterSeconds);
    }

    [Fact]
    public async Task Reads_are_retried_on_transient_failures_but_writes_never()
    {
        var (resilience, _) = Create(Fast with { MaxRetries = 2, FailureThreshold = 100 });
        var readAttempts = 0;
        var value = await resilience.ExecuteAsync("db", UpstreamCallKind.Read, _ =>
        {
            readAttempts++;
            return readAttempts < 3 ? throw new HttpRequestException("flaky") : ValueTask.FromResult("ok");
        }, default);
        Assert.Equal("ok", value);
        Assert.Equal(3, readAttempts);

        var writeAttempts = 0;
        await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync<string>("db", UpstreamCallKind.Write, _ =>
        {
            writeAttempts++;
            throw new HttpRequestException("flaky");
        }, default));
        Assert.Equal(1, writeAttempts);
    }

    [Fact]
    public async Task A_read_that_fails_through_all_its_retries_counts_as_one_failure()
    {
        var (resilience, _) = Create(Fast with { MaxRetries = 2, FailureThreshold = 2 });
        var attempts = 0;
        ValueTask<int> Failing(CancellationToken _)
        {
            attempts++;
            throw new HttpRequestException("connection refused");
        }

        await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, Failing, default));
        Assert.Equal(3, attempts);

        // Still closed after one failed call: the second call reaches the upstream, and only then does the circuit open.
        await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, Failing, default));
        Assert.Equal(6, attempts);
        var open = await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("db", UpstreamCallKind.Read, Failing, default));
        Assert.Contains("paused", open.Message, StringComparison.Ordinal);
        Assert.Equal(6, attempts);
    }

    [Fact]
    public async Task Non_transient_failures_are_neither_retried_nor_counted()
    {
        var (resilience, _) = Create(Fast with { MaxRetries = 2, FailureThreshold = 1 });
        var attempts = 0;
        await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync<int>("db", UpstreamCallKind.Read, _ =>
        {
            attempts++;
            throw ConnectorException.NotFound("no such row");
        }, default));
        Assert.Equal(1, attempts);
        Assert.Equal(5, await resilience.ExecuteAsync("db", UpstreamCallKind.Read, _ => ValueTask.FromResult(5), default));
    }

    [Fact]
    public async Task A_call_past_the_deadline_answers_timeout()
    {
        var resilience = new UpstreamResilience(TimeProvider.System, NullLogger<UpstreamResilience>.Instance);
        resilience.Configure("api", new UpstreamPolicy { Deadline = TimeSpan.FromMilliseconds(200), MaxRetries = 0 });
        var error = await Assert.ThrowsAsync<ConnectorException>(() => resilience.ExecuteAsync("api", UpstreamCallKind.Read, async ct =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return 1;
        }, default));
        Assert.Equal(ErrorCodes.Timeout, error.Code);
    }
}
