using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Connectors.Hosting.Errors;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Connectors.Hosting.Resilience;

/// <summary>How calls to one HTTP upstream are fenced. Set in code: nothing here is bound from configuration.</summary>
public sealed record UpstreamHttpResilienceOptions
{
    /// <summary>The whole call, retries included, must finish within this.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls (not attempts) that must all fail within <see cref="SamplingDuration"/> to open the circuit; at least 2.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>The window in which <see cref="FailureThreshold"/> failed calls open the circuit.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit answers at once before one probe call may try again.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for repeatable requests only (0: none).</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>First backoff; doubled per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Which answers say the upstream is failing (worth a retry, counted by the breaker).</summary>
    public Func<HttpStatusCode, bool> IsTransientStatus { get; init; } = status => (int)status >= 500;
}

/// <summary>
/// Polly (Microsoft.Extensions.Http.Resilience) around an API's HttpClient: a deadline for the whole call, a circuit
/// breaker per client, and jittered retries of repeatable requests inside it. The breaker sits outside the retry, so a
/// call that failed through all its retries counts once. Writes are never repeated: only GETs and requests marked with
/// <see cref="MarkRepeatable"/> are.
/// </summary>
public static class UpstreamHttpResilience
{
    private static readonly HttpRequestOptionsKey<bool> Repeatable = new("Connectors.Repeatable");

    /// <summary>Adds the pipeline, outermost first: deadline, circuit breaker, retry; then the whole-answer reader.</summary>
    public static IHttpClientBuilder AddUpstreamResilience(this IHttpClientBuilder builder, UpstreamHttpResilienceOptions options)
    {
        builder.AddResilienceHandler("upstream", pipeline =>
        {
            var circuit = new CircuitBreakerStateProvider();
            pipeline.AddTimeout(options.Deadline).AddCircuitBreaker(new()
            {
                // All calls in the window failed, and at least FailureThreshold of them: the ratio breaker's form of "N in a row".
                FailureRatio = 1.0,
                MinimumThroughput = Math.Max(2, options.FailureThreshold),
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = circuit,
                // Polly counts a cancelled call as a success, so a probe its caller gave up on would close the circuit
                // without the upstream having answered; a probe that proves nothing keeps the circuit open instead.
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome, options)
                    || (args.Outcome.Exception is OperationCanceledException && circuit.CircuitState == CircuitState.HalfOpen)),
            });
            // Our backoff, not a 5xx's Retry-After (which could outlast the deadline); rate limits (429) are the clients' to answer.
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(new()
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Context.GetRequestMessage() is { } request && IsRepeatable(request) && IsFailure(args.Outcome, options)),
                });
            }
        });

        // Inside the pipeline, so a broken or cut-off answer is a failed attempt that the retry and the breaker see.
        return builder.AddHttpMessageHandler(() => new WholeAnswerHandler());
    }

    /// <summary>Allows retries of a request whose method does not say it is safe (an RPC-style read sent as POST).</summary>
    public static void MarkRepeatable(HttpRequestMessage request) => request.Options.Set(Repeatable, true);

    /// <summary>The tool error for what the pipeline itself refused: an open circuit or the deadline; null for anything else.</summary>
    public static ConnectorException? Translate(Exception exception, string upstream, TimeSpan deadline) => exception switch
    {
        BrokenCircuitException open => ConnectorException.UpstreamUnavailable(
            $"{upstream} is failing repeatedly; calls to it are paused. Try again in {Seconds(open.RetryAfter)} s.", Seconds(open.RetryAfter)),
        TimeoutRejectedException => ConnectorException.Timeout($"{upstream} did not answer within {deadline.TotalSeconds:0.#} s."),
        _ => null,
    };

    private static int Seconds(TimeSpan? wait) => Math.Max(1, (int)Math.Ceiling((wait ?? TimeSpan.Zero).TotalSeconds));

    private static bool IsRepeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || (request.Options.TryGetValue(Repeatable, out var repeatable) && repeatable);

    private static bool IsFailure(Outcome<HttpResponseMessage> outcome, UpstreamHttpResilienceOptions options) =>
        outcome.Exception is HttpRequestException or IOException
        || (outcome.Result is { } response && options.IsTransientStatus(response.StatusCode));

    /// <summary>Reads the whole answer before it leaves the pipeline; a JSON answer must also be complete JSON.</summary>
    private sealed class WholeAnswerHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                if (response.IsSuccessStatusCode && IsJson(response.Content.Headers.ContentType)
                    && !IsCompleteJson(await response.Content.ReadAsByteArrayAsync(cancellationToken)))
                {
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, "The answer is not complete JSON.");
                }

                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        private static bool IsJson(MediaTypeHeaderValue? type) =>
            type?.MediaType is { } media && (media == "application/json" || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

        private static bool IsCompleteJson(ReadOnlySpan<byte> body)
        {
            if (body.IsEmpty)
            {
                return true; // nothing to parse; the client decides whether an empty answer is an error
            }

            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            try
            {
                while (reader.Read())
                {
                }

                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
