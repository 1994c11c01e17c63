using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Redis;
using Connectors.Hosting.Resilience;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.GitHub.Api;

/// <summary>A GitHub answer and what the headers said about it.</summary>
internal sealed record GitHubResponse<T>(T Value, bool HasNextPage, string? OAuthScopes, bool FromCache);

/// <summary>
/// The typed GitHub REST client the tools use. GETs are conditional (ETag / Last-Modified from a bounded cache; a 304
/// costs no quota), retried on 502/503/504, dropped connections and garbled JSON inside the deadline (the HttpClient's
/// Polly pipeline, <see cref="AddHttpClient"/>); writes are sent once. Each
/// rate-limit budget (X-RateLimit-Resource: core, search, code_search) is tracked so a call that would be refused
/// answers <c>rate_limited</c> without spending a request.
/// </summary>
internal sealed class GitHubClient
{
    public const string Upstream = "github";
    private const string DiffMediaType = "application/vnd.github.diff";

    /// <summary>How long another replica may reuse an answer's validators; GitHub still confirms each one (304).</summary>
    private static readonly TimeSpan SharedCacheLifetime = TimeSpan.FromHours(1);
    private readonly HttpClient _http;
    private readonly IGitHubCredentials _credentials;
    private readonly TimeSpan _deadline;
    private readonly TimeProvider _time;
    private readonly ResponseCache _cache = new();
    private readonly SharedCache? _shared;
    private readonly string _sharedScope;
    private readonly ConcurrentDictionary<string, (int Remaining, long Reset)> _budgets = new(StringComparer.Ordinal);
    private long _notModified;
    private long _requests;

    /// <param name="http">The client <see cref="AddHttpClient"/> registers: deadline, breaker and GET retries are in it.</param>
    /// <param name="shared">With --redis, the second level of the answer cache, shared with the other replicas.</param>
    /// <param name="sharedScope">Whose answers these are (API URL and credential): replicas share only answers one credential got.</param>
    public GitHubClient(HttpClient http, IGitHubCredentials credentials, TimeSpan deadline, TimeProvider time, SharedCache? shared = null, string sharedScope = "")
    {
        _http = http;
        _credentials = credentials;
        _deadline = deadline;
        _time = time;
        _shared = shared;
        _sharedScope = sharedScope;
    }

    public string CredentialKind => _credentials.Kind;

    /// <summary>Requests sent to GitHub, and how many of them were answered 304 from the cache.</summary>
    public (long Requests, long NotModified) Counters => (Interlocked.Read(ref _requests), Interlocked.Read(ref _notModified));

    /// <summary>Repositories this server has answers cached for (owner/name, most recent first); asks GitHub nothing.</summary>
    public IReadOnlyList<string> KnownRepositories() => _cache.KnownRepositories();

    /// <summary>
    /// The named HttpClient behind <see cref="GitHubClient"/>: retried on 502/503/504, dropped connections and garbled
    /// JSON (GETs only), one circuit breaker for this API, the whole call within <paramref name="deadline"/>.
    /// </summary>
    public static void AddHttpClient(IServiceCollection services, Uri apiUrl, string version, TimeSpan deadline) =>
        services.AddHttpClient(Upstream, http =>
            {
                http.BaseAddress = apiUrl;
                http.Timeout = Timeout.InfiniteTimeSpan; // the tool deadline and the resilience pipeline bound every call
                http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("connectors-github", version));
                http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                http.DefaultRequestHeaders.Add("X-GitHub-Api-Version", "2022-11-28");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                // Job logs redirect to signed storage URLs; .NET drops the Authorization header on redirects.
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 3,
            })
            // One long-lived handler (the client is a singleton); PooledConnectionLifetime renews its connections.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The factory's request logging would put every URL on stderr; the suite logs failures itself.
            .RemoveAllLoggers()
            .AddUpstreamResilience(new UpstreamHttpResilienceOptions
            {
                Deadline = deadline,
                IsTransientStatus = status => status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
            });

    public async Task<GitHubResponse<T>> GetAsync<T>(string path, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        var raw = await SendAsync(HttpMethod.Get, path, null, null, what, cancellationToken);
        var value = Parse(raw.Body, type, what);
        raw.Commit();
        return new GitHubResponse<T>(value, raw.HasNext, raw.Scopes, raw.FromCache);
    }

    /// <summary>A pull request's unified diff (GitHub's diff media type), conditional like any GET.</summary>
    public async Task<string> GetDiffAsync(string path, string what, CancellationToken cancellationToken)
    {
        var raw = await SendAsync(HttpMethod.Get, path, DiffMediaType, null, what, cancellationToken);
        raw.Commit();
        return Encoding.UTF8.GetString(raw.Body);
    }

    /// <summary>Plain text behind a redirect (job logs), never cached: the storage URL is signed per request.</summary>
    public async Task<string> GetTextAsync(string path, string what, CancellationToken cancellationToken)
    {
        var raw = await SendAsync(HttpMethod.Get, path, "text/plain", null, what, cancellationToken, conditional: false);
        return Encoding.UTF8.GetString(raw.Body);
    }

    /// <summary>Sends a change once: never retried (not a GET), since a retry after a lost answer could act twice.</summary>
    public async Task<TResult> SendAsync<TBody, TResult>(
        HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResult> resultType, string what, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var raw = await SendAsync(method, path, null, content, what, cancellationToken);
        return Parse(raw.Body, resultType, what);
    }

    /// <summary>Which rate-limit budget a path spends (GitHub's X-RateLimit-Resource).</summary>
    internal static string ResourceOf(string path) =>
        path.StartsWith("search/code", StringComparison.Ordinal) ? "code_search"
        : path.StartsWith("search/", StringComparison.Ordinal) ? "search"
        : "core";

    private async Task<RawResponse> SendAsync(
        HttpMethod method, string path, string? accept, HttpContent? content, string what, CancellationToken cancellationToken, bool conditional = true)
    {
        var resource = ResourceOf(path);
        var now = _time.GetUtcNow();
        if (_budgets.TryGetValue(resource, out var budget) && budget.Remaining == 0 && budget.Reset > now.ToUnixTimeSeconds())
        {
            var seconds = (int)Math.Max(1, budget.Reset - now.ToUnixTimeSeconds());
            throw ConnectorException.RateLimited($"GitHub's '{resource}' rate limit is used up; it resets in {seconds} s.", seconds);
        }

        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (accept is not null)
        {
            request.Headers.Accept.Clear();
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        var cacheKey = $"{path}\n{accept}";
        var cached = method == HttpMethod.Get && conditional ? _cache.Get(cacheKey) ?? await RecallSharedAsync(cacheKey, cancellationToken) : null;
        if (cached?.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }
        else if (cached?.LastModified is { } lastModified)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        }

        Interlocked.Increment(ref _requests);
        var write = method != HttpMethod.Get;
        HttpResponseMessage response;
        try
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _credentials.GetTokenAsync(_http, cancellationToken));
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw ConnectorException.UpstreamUnavailable(
                ex.HttpRequestError == HttpRequestError.InvalidResponse ? $"GitHub sent an answer for {what} that is not the expected JSON."
                : write ? $"The connection to GitHub failed while sending {what}; the change may or may not have been made. Check before trying again."
                : $"The connection to GitHub failed while reading {what}.");
        }
        catch (Exception ex) when (UpstreamHttpResilience.Translate(ex, "GitHub", _deadline) is { } refused)
        {
            throw write && refused.Code == ErrorCodes.Timeout
                ? ConnectorException.Timeout($"{refused.Message} The change may or may not have been made; check before trying again.")
                : refused;
        }

        using (response)
        {
            TrackBudget(response.Headers);
            if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
            {
                Interlocked.Increment(ref _notModified);
                return new RawResponse(cached.Body, cached.Link, Scopes(response), FromCache: true, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw GitHubErrors.Map(response, await GitHubErrors.ReadAsync(response, cancellationToken), what, _time.GetUtcNow(), write);
            }

            // Already read whole inside the resilience pipeline, so a broken connection was retried (GETs) there.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var link = response.Headers.TryGetValues("Link", out var links) ? string.Join(", ", links) : null;
            var validator = response.Headers.ETag?.ToString();
            var modified = response.Content.Headers.LastModified?.ToString("r", CultureInfo.InvariantCulture);
            var store = method == HttpMethod.Get && conditional && (validator is not null || modified is not null)
                ? () => Remember(cacheKey, new CachedResponse(validator, modified, body, link))
                : (Action?)null;
            return new RawResponse(body, link, Scopes(response), FromCache: false, store);
        }
    }

    /// <summary>An answer another replica cached (its validators let GitHub answer 304, free of quota), kept here too.</summary>
    private async ValueTask<CachedResponse?> RecallSharedAsync(string cacheKey, CancellationToken cancellationToken)
    {
        if (_shared is null || await _shared.GetAsync(_sharedScope + cacheKey, GitHubJson.Default.CachedResponse, cancellationToken) is not { } shared)
        {
            return null;
        }

        _cache.Put(cacheKey, shared);
        return shared;
    }

    private void Remember(string cacheKey, CachedResponse response)
    {
        _cache.Put(cacheKey, response);
        _shared?.Put(_sharedScope + cacheKey, response, GitHubJson.Default.CachedResponse, SharedCacheLifetime);
    }

    private void TrackBudget(HttpResponseHeaders headers)
    {
        if (int.TryParse(GitHubErrors.Header(headers, "X-RateLimit-Remaining"), CultureInfo.InvariantCulture, out var remaining)
            && long.TryParse(GitHubErrors.Header(headers, "X-RateLimit-Reset"), CultureInfo.InvariantCulture, out var reset))
        {
            _budgets[GitHubErrors.Header(headers, "X-RateLimit-Resource") ?? "core"] = (remaining, reset);
        }
    }

    private static string? Scopes(HttpResponseMessage response) => GitHubErrors.Header(response.Headers, "X-OAuth-Scopes");

    private static T Parse<T>(byte[] body, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw ConnectorException.UpstreamUnavailable($"GitHub sent an answer for {what} that is not the expected JSON.");
        }
    }

    private sealed record RawResponse(byte[] Body, string? Link, string? Scopes, bool FromCache, Action? Store)
    {
        public bool HasNext => Link?.Contains("rel=\"next\"", StringComparison.Ordinal) == true;

        /// <summary>Caches the answer once it proved usable (a garbled body is never replayed).</summary>
        public void Commit() => Store?.Invoke();
    }
}
