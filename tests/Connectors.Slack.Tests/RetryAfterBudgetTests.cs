using Connectors.Slack.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Connectors.Slack.Tests;

/// <summary>
/// A read that meets a 429 waits out Slack's Retry-After only when the wait fits what the call has left: otherwise it
/// answers <c>rate_limited</c> with Slack's delay at once, instead of waiting into its own timeout. The clock is moved by
/// the fake Slack, so the call "took" its time without the test sleeping.
/// </summary>
public sealed class RetryAfterBudgetTests
{
    [Fact]
    public async Task A_retry_after_longer_than_what_the_call_has_left_is_rate_limited_without_waiting()
    {
        var clock = new SteppingClock();
        // Within the longest wait allowed (5 s), but the first answer took 9 s of the call's 10.
        using var slack = new RateLimitedSlack(clock, took: TimeSpan.FromSeconds(9), retryAfterSeconds: 2);
        using var limits = new SlackRateLimits(clock, maxWait: TimeSpan.FromSeconds(5));
        using var http = new HttpClient(slack);
        var client = new SlackApiClient(http, new Uri("http://slack.test/api/"), new SlackTokens("xoxb-test", null), limits,
            deadline: TimeSpan.FromSeconds(10), clock, NullLogger<SlackApiClient>.Instance);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync(
            new SlackCall("conversations.history", new Dictionary<string, string?> { ["channel"] = "C1" }, SlackTokenKind.Bot),
            SlackJsonContext.Default.SlackResponse, CancellationToken.None));

        Assert.Equal(ErrorCodes.RateLimited, error.Code);
        Assert.Equal(2, error.RetryAfterSeconds);
        Assert.Equal(1, slack.Requests);
    }

    /// <summary>Answers every call 429 with Retry-After, after moving the clock as if the answer took that long.</summary>
    private sealed class RateLimitedSlack(SteppingClock clock, TimeSpan took, int retryAfterSeconds) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            clock.Elapsed += took;
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new StringContent("""{"ok":false,"error":"ratelimited"}""", Encoding.UTF8, "application/json"),
            };
            response.Headers.RetryAfter = new(TimeSpan.FromSeconds(retryAfterSeconds));
            return Task.FromResult(response);
        }
    }

    /// <summary>Wall clock and timestamps that move only when told.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public TimeSpan Elapsed { get; set; }

        public override DateTimeOffset GetUtcNow() => Start + Elapsed;

        public override long GetTimestamp() => Elapsed.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}
