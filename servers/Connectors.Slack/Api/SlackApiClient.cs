using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connectors.Slack.Api;

internal enum SlackTokenKind
{
    Bot,
    User,
}

/// <summary>The configured tokens; the values never leave this class except in the Authorization header.</summary>
internal sealed class SlackTokens(string? bot, string? user)
{
    public bool HasBot => !string.IsNullOrEmpty(bot);

    public bool HasUser => !string.IsNullOrEmpty(user);

    /// <summary>Reads and posts go with the bot token when there is one, so the app (not a person) is the actor.</summary>
    public SlackTokenKind Default => HasBot ? SlackTokenKind.Bot : SlackTokenKind.User;

    public IEnumerable<SlackTokenKind> Configured =>
        new[] { SlackTokenKind.Bot, SlackTokenKind.User }.Where(kind => kind == SlackTokenKind.Bot ? HasBot : HasUser);

    public string Value(SlackTokenKind kind) => (kind == SlackTokenKind.Bot ? bot : user) is { Length: > 0 } token
        ? token
        : throw ConnectorException.Unauthenticated($"No Slack {Describe(kind)} is configured ({EnvironmentVariable(kind)}).");

    public static string Describe(SlackTokenKind kind) => kind == SlackTokenKind.Bot ? "bot token" : "user token";

    public static string EnvironmentVariable(SlackTokenKind kind) => kind == SlackTokenKind.Bot ? "SLACK_BOT_TOKEN" : "SLACK_USER_TOKEN";
}

/// <summary>One Slack Web API call: the method, its arguments, which token, and whether it changes something (never repeated).</summary>
internal sealed record SlackCall(string Method, IReadOnlyDictionary<string, string?> Arguments, SlackTokenKind Token, bool Write = false)
{
    /// <summary>For chat.postMessage: Slack's budget is per channel, so the bucket is too.</summary>
    public string? Channel { get; init; }

    /// <summary>A JSON body instead of form fields (chat.postMessage).</summary>
    public Func<HttpContent>? JsonBody { get; init; }

    public string? Argument(string name) => Arguments.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A typed Slack Web API client: Bearer auth, form-encoded reads and JSON posts, Slack's <c>ok:false</c> errors mapped to
/// stable codes (<see cref="SlackErrors"/>), proactive tier buckets and 429 <c>Retry-After</c> (<see cref="SlackRateLimits"/>).
/// Deadline, read retries and the circuit breaker are the HttpClient's Polly pipeline (<see cref="AddHttpClient"/>). A read
/// that meets a 429 is retried once when Slack's wait fits what the call has left; a write never is.
/// </summary>
internal sealed class SlackApiClient(
    HttpClient http, Uri apiUrl, SlackTokens tokens, SlackRateLimits limits, TimeSpan deadline, TimeProvider time, ILogger<SlackApiClient> logger)
{
    public const string Upstream = "slack";

    private const string WriteOutcomeUnknown =
        "so it may or may not have taken effect; check the channel before trying again (the same idempotency_key will not send it twice).";

    public SlackTokens Tokens => tokens;

    /// <summary>The named HttpClient behind <see cref="SlackApiClient"/>: reads retried once on 5xx, resets and garbled JSON; one breaker for Slack.</summary>
    public static void AddHttpClient(IServiceCollection services, string version, TimeSpan deadline) =>
        services.AddHttpClient(Upstream, http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan; // the tool deadline and the resilience pipeline bound every call
                http.DefaultRequestHeaders.UserAgent.ParseAdd($"connectors-slack/{version}");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = DecompressionMethods.All,
            })
            // One long-lived handler (the client is a singleton); PooledConnectionLifetime renews its connections.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The factory's request logging would put every call on stderr; the client logs what matters.
            .RemoveAllLoggers()
            .AddUpstreamResilience(new UpstreamHttpResilienceOptions { Deadline = deadline, MaxRetries = 1 });

    public async Task<T> CallAsync<T>(SlackCall call, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : SlackResponse
    {
        var (response, _) = await CallWithHeadersAsync(call, type, cancellationToken);
        return response;
    }

    /// <summary>The answer and the token's granted scopes (Slack's <c>x-oauth-scopes</c> header), for doctor checks.</summary>
    public async Task<(T Response, string? Scopes)> CallWithHeadersAsync<T>(SlackCall call, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : SlackResponse
    {
        var scope = Scope(call);
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            await limits.AcquireAsync(call.Method, scope, cancellationToken);
            try
            {
                return await SendAsync(call, type, cancellationToken);
            }
            catch (SlackRateLimitedException limited)
            {
                Pause(call, scope, limited);
                // Waiting is worth it only when the wait fits both the longest wait allowed and what the call has left.
                var left = deadline - time.GetElapsedTime(started);
                if (call.Write || attempt > 1 || limited.RetryAfter > limits.MaxWait || limited.RetryAfter >= left)
                {
                    throw SlackRateLimits.Refused(call.Method, limited.RetryAfter);
                }
            }
        }
    }

    /// <summary>
    /// The call only if its rate-limit budget is free this instant; null when it is not, or when Slack answers 429 (then
    /// the method pauses as usual). Never waits for a token and never retries after a 429: for optional work (names).
    /// </summary>
    public async Task<T?> CallIfFreeAsync<T>(SlackCall call, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : SlackResponse
    {
        var scope = Scope(call);
        if (!limits.TryAcquireNow(call.Method, scope))
        {
            return null;
        }

        try
        {
            return (await SendAsync(call, type, cancellationToken)).Item1;
        }
        catch (SlackRateLimitedException limited)
        {
            Pause(call, scope, limited);
            return null;
        }
    }

    private void Pause(SlackCall call, string scope, SlackRateLimitedException limited)
    {
        limits.Pause(call.Method, scope, limited.RetryAfter);
        logger.LogWarning("Slack rate-limited {Method}; retry after {Seconds} s", call.Method, limited.RetryAfter.TotalSeconds);
    }

    private static string Scope(SlackCall call) => call.Channel is null ? call.Token.ToString() : $"{call.Token}\n{call.Channel}";

    private async Task<(T, string?)> SendAsync<T>(SlackCall call, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : SlackResponse
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(apiUrl, call.Method))
        {
            Content = call.JsonBody?.Invoke() ?? new FormUrlEncodedContent(
                call.Arguments.Where(a => a.Value is not null).Select(a => KeyValuePair.Create(a.Key, a.Value!))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Value(call.Token));
        if (!call.Write)
        {
            UpstreamHttpResilience.MarkRepeatable(request); // every Web API call is a POST; reads are safe to repeat
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            var what = ex.HttpRequestError == HttpRequestError.InvalidResponse
                ? $"Slack's answer to {call.Method} was not valid JSON"
                : $"The connection to Slack failed during {call.Method}";
            throw ConnectorException.UpstreamUnavailable(call.Write ? $"{what}, {WriteOutcomeUnknown}" : $"{what}; it may be having trouble.");
        }
        catch (Exception ex) when (UpstreamHttpResilience.Translate(ex, "Slack", deadline) is { } refused)
        {
            throw call.Write && refused.Code == ErrorCodes.Timeout
                ? ConnectorException.Timeout($"Slack did not answer {call.Method} within {deadline.TotalSeconds:0.#} s, {WriteOutcomeUnknown}")
                : refused;
        }

        using var _ = response;

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new SlackRateLimitedException(RetryAfter(response));
        }

        if ((int)response.StatusCode >= 500)
        {
            // A server error can come after the change was made: a write's outcome is unknown, and the answer says so.
            throw ConnectorException.UpstreamUnavailable(call.Write
                ? $"Slack answered HTTP {(int)response.StatusCode} to {call.Method}, {WriteOutcomeUnknown}"
                : $"Slack answered HTTP {(int)response.StatusCode} to {call.Method}; it may be having trouble.", RetryAfterSeconds(response));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ConnectorException(ErrorCodes.UpstreamUnavailable,
                $"Slack answered HTTP {(int)response.StatusCode} to {call.Method}; check --api-url (SLACK_API_URL).");
        }

        T body;
        try
        {
            body = await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new JsonException("null body");
        }
        catch (JsonException)
        {
            throw ConnectorException.UpstreamUnavailable($"Slack's answer to {call.Method} was not valid JSON; it may be having trouble.");
        }

        if (body.Warning is { Length: > 0 } warning)
        {
            logger.LogInformation("Slack warned on {Method}: {Warning}", call.Method, SlackErrors.SafeName(warning));
        }

        if (!body.Ok)
        {
            if (body.Error == "ratelimited")
            {
                throw new SlackRateLimitedException(RetryAfter(response));
            }

            throw SlackErrors.Map(call, body);
        }

        var scopes = response.Headers.TryGetValues("x-oauth-scopes", out var values) ? string.Join(',', values) : null;
        return (body, scopes);
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        TimeSpan.FromSeconds(RetryAfterSeconds(response) ?? 30);

    private static int? RetryAfterSeconds(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            return Math.Max(1, (int)Math.Ceiling(delta.TotalSeconds));
        }

        return response.Headers.TryGetValues("Retry-After", out var values) &&
            int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? Math.Max(1, seconds)
            : null;
    }

    /// <summary>Slack said 429 (or <c>ratelimited</c>): the rate limits' business, not a failure the breaker counts.</summary>
    private sealed class SlackRateLimitedException(TimeSpan retryAfter) : Exception("rate limited")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
