using System.Collections.Concurrent;
using static Connectors.Hosting.Tests.Security.McpHttp;

namespace Connectors.Hosting.Tests.Security;

public sealed class RateLimitedServerFixture : IAsyncLifetime
{
    public string NoisyKey { get; } = ApiKeyServerFixture.NewKey();

    public string QuietKey { get; } = ApiKeyServerFixture.NewKey();

    public string HolderKey { get; } = ApiKeyServerFixture.NewKey();

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(120) };

    public async ValueTask InitializeAsync() =>
        Server = await ServerProcess.StartHttpAsync(
            "Connectors.Hosting.TestServer",
            ["--auth", "api-key", "--rate-limit-identity", "600", "--rate-limit-identity-burst", "20", "--max-concurrent-per-identity", "4"],
            new Dictionary<string, string>
            {
                ["CONNECTORS_API_KEYS"] = $"noisy:{NoisyKey}:testserver:read,quiet:{QuietKey}:testserver:read,holder:{HolderKey}:testserver:read",
            });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

public sealed class RateLimitTests(RateLimitedServerFixture fixture) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task A_burst_of_1000_calls_from_one_identity_is_limited_while_another_identity_keeps_being_served()
    {
        var outcomes = new ConcurrentBag<string>();
        var retryAfters = new ConcurrentBag<int>();
        var noisy = Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            using var response = await fixture.Server.PostAsync(fixture.Http, Call("echo", """{"text":"n"}""", i), Bearer(fixture.NoisyKey));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
                outcomes.Add("http_429");
                return;
            }

            var message = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
            var outcome = Outcome(message);
            outcomes.Add(outcome);
            if (outcome == "rate_limited")
            {
                retryAfters.Add(message.GetProperty("result").GetProperty("structuredContent").GetProperty("error").GetProperty("retry_after_seconds").GetInt32());
            }
        });

        // The quiet caller's 20 sequential calls fit its own burst of 20, whatever the noisy one does meanwhile.
        for (var i = 0; i < 20; i++)
        {
            var quiet = await fixture.Server.RpcAsync(fixture.Http, Call("echo", """{"text":"q"}"""), Bearer(fixture.QuietKey));
            Assert.Equal("q", Text(quiet));
        }

        await noisy;
        Assert.Equal(1000, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o is "ok" or "rate_limited" or "http_429", o));
        Assert.True(outcomes.Any(o => o == "rate_limited"), "the noisy identity was never rate limited");
        Assert.All(retryAfters, seconds => Assert.InRange(seconds, 1, 60));
        Assert.Contains("echo", await fixture.Server.ToolNamesAsync(fixture.Http, Bearer(fixture.QuietKey)));
    }

    [Fact]
    public async Task Requests_beyond_the_per_identity_concurrency_cap_get_429_with_retry_after()
    {
        using var release = new CancellationTokenSource();
        var holders = Enumerable.Range(0, 4).Select(i => HoldAsync(i, release.Token)).ToList();
        try
        {
            // Once the four slow calls are in flight, a fifth request of the same identity is refused as a whole.
            await HttpTransportTests.WaitUntilAsync(() => IsRefusedAsync().GetAwaiter().GetResult(), seconds: 60);
        }
        finally
        {
            await release.CancelAsync();
            foreach (var holder in holders)
            {
                try
                {
                    await holder;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        await HttpTransportTests.WaitUntilAsync(() => !IsRefusedAsync().GetAwaiter().GetResult(), seconds: 60);
    }

    private async Task<bool> IsRefusedAsync()
    {
        // tools/list, not a tool call: polling must not spend the identity's call tokens, or slow-starting holders on a
        // loaded machine would be rate limited instead of held in flight.
        using var response = await fixture.Server.PostAsync(fixture.Http, """{"jsonrpc":"2.0","id":7,"method":"tools/list"}""", Bearer(fixture.HolderKey));
        if (response.StatusCode != HttpStatusCode.TooManyRequests)
        {
            return false;
        }

        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        return true;
    }

    private async Task HoldAsync(int id, CancellationToken cancellationToken)
    {
        // A holder that arrives while a poll is in flight is itself the one refused; it tries again until it holds a slot.
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.McpUrl)
            {
                Content = new StringContent(Call("slow", """{"seconds":300}""", 100 + id), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fixture.HolderKey);
            using var response = await fixture.Http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
