using Connectors.Hosting.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;

namespace Connectors.Hosting.Tests;

/// <summary>
/// The Polly pipeline every API client gets (<see cref="UpstreamHttpResilience.AddUpstreamResilience"/>), through a real
/// IHttpClientFactory client whose last handler plays the upstream. The breaker's clock is a <see cref="ManualClock"/>.
/// </summary>
public sealed class UpstreamHttpResilienceTests : IDisposable
{
    private static readonly UpstreamHttpResilienceOptions Fast = new()
    {
        FailureThreshold = 3,
        BreakDuration = TimeSpan.FromSeconds(30),
        MaxRetries = 0,
        RetryBaseDelay = TimeSpan.Zero,
        Deadline = TimeSpan.FromSeconds(10),
    };

    private readonly ManualClock _clock = new();
    private readonly ServiceCollection _services = new();
    private ServiceProvider? _provider;

    public UpstreamHttpResilienceTests() => _services.AddSingleton<TimeProvider>(_clock);

    public void Dispose() => _provider?.Dispose();

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    public async Task Calls_that_fail_through_their_retries_open_the_circuit_at_the_threshold_of_calls_not_attempts(int threshold, int retries)
    {
        var upstream = new Upstream { Answer = _ => Status(HttpStatusCode.ServiceUnavailable) };
        var http = Client("api", upstream, Fast with { FailureThreshold = threshold, MaxRetries = retries });

        for (var call = 1; call <= threshold; call++)
        {
            using var response = await http.GetAsync("items");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(call * (retries + 1), upstream.Requests); // every call still reached the upstream, with all its attempts
        }

        var open = await Assert.ThrowsAsync<BrokenCircuitException>(() => http.GetAsync("items"));
        Assert.Equal(threshold * (retries + 1), upstream.Requests);
        var error = UpstreamHttpResilience.Translate(open, "The API", Fast.Deadline);
        Assert.Equal(ErrorCodes.UpstreamUnavailable, error?.Code);
        Assert.Equal(30, error?.RetryAfterSeconds);
        Assert.Contains("Try again in 30 s", error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_break_one_probe_closes_the_circuit_when_it_succeeds()
    {
        var upstream = new Upstream { Answer = _ => throw new HttpRequestException("connection refused") };
        var http = Client("api", upstream, Fast);
        await FailAsync(http, 3);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => http.GetAsync("items"));

        _clock.Now += TimeSpan.FromSeconds(31);
        upstream.Answer = _ => Status(HttpStatusCode.OK);
        using (var probe = await http.GetAsync("items"))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        using var next = await http.GetAsync("items");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(5, upstream.Requests);
    }

    [Fact]
    public async Task A_failed_probe_opens_the_circuit_again()
    {
        var upstream = new Upstream { Answer = _ => throw new HttpRequestException("connection refused") };
        var http = Client("api", upstream, Fast);
        await FailAsync(http, 3);

        _clock.Now += TimeSpan.FromSeconds(31);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("items"));
        Assert.Equal(4, upstream.Requests);

        upstream.Answer = _ => Status(HttpStatusCode.OK);
        var open = await Assert.ThrowsAsync<BrokenCircuitException>(() => http.GetAsync("items"));
        Assert.Equal(4, upstream.Requests);
        Assert.Equal(30, UpstreamHttpResilience.Translate(open, "The API", Fast.Deadline)?.RetryAfterSeconds);
    }

    [Fact]
    public async Task A_probe_its_caller_cancels_leaves_the_circuit_open()
    {
        var upstream = new Upstream { Answer = _ => throw new HttpRequestException("connection refused") };
        var http = Client("api", upstream, Fast);
        await FailAsync(http, 3);

        _clock.Now += TimeSpan.FromSeconds(31);
        var probeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.AnswerAsync = async (_, ct) =>
        {
            probeStarted.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Status(HttpStatusCode.OK);
        };
        using var cancel = new CancellationTokenSource();
        var probe = http.GetAsync("items", cancel.Token);
        await probeStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);

        upstream.AnswerAsync = null;
        upstream.Answer = _ => Status(HttpStatusCode.OK);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => http.GetAsync("items"));
        Assert.Equal(4, upstream.Requests);
    }

    [Fact]
    public async Task GETs_and_requests_marked_repeatable_are_retried_but_other_requests_never()
    {
        var upstream = new Upstream { Answer = _ => Status(HttpStatusCode.BadGateway) };
        var http = Client("api", upstream, Fast with { MaxRetries = 2, FailureThreshold = 100 });

        upstream.Answer = _ => upstream.Requests < 3 ? Status(HttpStatusCode.BadGateway) : Status(HttpStatusCode.OK);
        using (var read = await http.GetAsync("items"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        Assert.Equal(3, upstream.Requests);

        upstream.Answer = _ => Status(HttpStatusCode.BadGateway);
        using (var write = await http.PostAsync("items", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.BadGateway, write.StatusCode);
        }

        Assert.Equal(4, upstream.Requests);
        upstream.Answer = _ => throw new HttpRequestException("connection reset");
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PatchAsync("items/1", new StringContent("{}")));
        Assert.Equal(5, upstream.Requests);

        // An RPC-style read sent as POST (Slack's Web API) is retried once marked.
        upstream.Answer = _ => Status(HttpStatusCode.BadGateway);
        using var rpc = new HttpRequestMessage(HttpMethod.Post, "conversations.history") { Content = new StringContent("channel=C1") };
        UpstreamHttpResilience.MarkRepeatable(rpc);
        using (var marked = await http.SendAsync(rpc))
        {
            Assert.Equal(HttpStatusCode.BadGateway, marked.StatusCode);
        }

        Assert.Equal(8, upstream.Requests);
    }

    [Fact]
    public async Task A_dropped_connection_and_a_cut_off_json_answer_are_retried_inside_the_pipeline()
    {
        var upstream = new Upstream();
        upstream.Answer = _ => upstream.Requests switch
        {
            1 => throw new HttpRequestException("connection reset"),
            2 => Json("""{"items":[{"id":1},"""),
            _ => Json("""{"items":[]}"""),
        };
        var http = Client("api", upstream, Fast with { MaxRetries = 2 });

        Assert.Equal("""{"items":[]}""", await http.GetStringAsync("items"));
        Assert.Equal(3, upstream.Requests);

        upstream.Answer = _ => Json("""{"ok":tr""");
        var garbled = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("items", new StringContent("{}")));
        Assert.Equal(HttpRequestError.InvalidResponse, garbled.HttpRequestError);
        Assert.Equal(4, upstream.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task Answers_the_client_does_not_call_transient_are_neither_retried_nor_counted(HttpStatusCode status)
    {
        var upstream = new Upstream { Answer = _ => Status(status) };
        // As GitHub's: only 502/503/504 say the upstream is failing.
        var http = Client("api", upstream, Fast with
        {
            MaxRetries = 2,
            FailureThreshold = 2,
            IsTransientStatus = s => s is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        });

        for (var call = 1; call <= 5; call++)
        {
            using var response = await http.GetAsync("items");
            Assert.Equal(status, response.StatusCode);
        }

        Assert.Equal(5, upstream.Requests);
    }

    [Fact]
    public async Task Each_client_has_its_own_circuit()
    {
        var failing = new Upstream { Answer = _ => throw new HttpRequestException("connection refused") };
        var healthy = new Upstream { Answer = _ => Status(HttpStatusCode.OK) };
        Register("github", failing, Fast);
        Register("slack", healthy, Fast);
        var github = Make("github");
        var slack = Make("slack");

        await FailAsync(github, 3);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => github.GetAsync("items"));

        using var response = await slack.GetAsync("items");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, healthy.Requests);
    }

    [Fact]
    public async Task A_call_past_the_deadline_answers_timeout()
    {
        var upstream = new Upstream
        {
            AnswerAsync = async (_, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
                return Status(HttpStatusCode.OK);
            },
        };
        var http = Client("api", upstream, Fast with { Deadline = TimeSpan.FromMilliseconds(200) });

        var late = await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync("items"));
        var error = UpstreamHttpResilience.Translate(late, "The API", TimeSpan.FromMilliseconds(200));
        Assert.Equal(ErrorCodes.Timeout, error?.Code);
    }

    private HttpClient Client(string name, Upstream upstream, UpstreamHttpResilienceOptions options)
    {
        Register(name, upstream, options);
        return Make(name);
    }

    /// <summary>A named client with the pipeline; all of a test's clients are registered before the first is made.</summary>
    private void Register(string name, Upstream upstream, UpstreamHttpResilienceOptions options) =>
        _services.AddHttpClient(name, http => http.BaseAddress = new Uri($"http://{name}.test/"))
            .ConfigurePrimaryHttpMessageHandler(() => upstream)
            .AddUpstreamResilience(options);

    private HttpClient Make(string name)
    {
        _provider ??= _services.BuildServiceProvider();
        return _provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);
    }

    private static async Task FailAsync(HttpClient http, int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("items"));
        }
    }

    private static HttpResponseMessage Status(HttpStatusCode status) => new(status);

    private static HttpResponseMessage Json(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text, Encoding.UTF8, "application/json") };

    /// <summary>The upstream: answers each request from the test's script and counts what reached it.</summary>
    private sealed class Upstream : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.OK);

        public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? AnswerAsync { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            try
            {
                return AnswerAsync?.Invoke(request, cancellationToken) ?? Task.FromResult(Answer(request));
            }
            catch (Exception ex)
            {
                return Task.FromException<HttpResponseMessage>(ex);
            }
        }
    }
}
