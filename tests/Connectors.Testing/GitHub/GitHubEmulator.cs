using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

/// <summary>
/// A GitHub REST API on 127.0.0.1 (random port) serving <see cref="GitHubState"/> with GitHub's JSON shapes and
/// behaviour: Link pagination, ETags and 304s (which cost no quota), X-RateLimit-* headers per resource (core, search,
/// code_search), 401 for bad credentials, private repositories as 404, 422 validation bodies, diffs for
/// <c>Accept: application/vnd.github.diff</c>, GitHub App installation tokens from RS256 JWTs it verifies, and injected
/// faults. Used by tests and benchmarks.
/// </summary>
public sealed partial class GitHubEmulator : IAsyncDisposable, IDisposable
{
    private const string Docs = "https://docs.github.com/rest";
    private readonly WebApplication _app;
    private readonly List<GitHubFault> _faults = [];
    private readonly List<string> _requests = [];
    private long _requestsServed;
    private long _notModifiedServed;

    private GitHubEmulator(WebApplication app, GitHubState state)
    {
        _app = app;
        State = state;
    }

    /// <summary>The API root, ending with '/', to pass as <c>--api-url</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public GitHubState State { get; }

    public Dictionary<string, RateLimitBudget> RateLimits { get; } = new(StringComparer.Ordinal)
    {
        ["core"] = new RateLimitBudget(5000),
        ["search"] = new RateLimitBudget(30),
        ["code_search"] = new RateLimitBudget(10),
    };

    /// <summary>Every request answered, 304s included.</summary>
    public long RequestsServed => Interlocked.Read(ref _requestsServed);

    /// <summary>Requests answered 304 Not Modified (free of quota on GitHub).</summary>
    public long NotModifiedServed => Interlocked.Read(ref _notModifiedServed);

    /// <summary>"METHOD /path?query" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <param name="address">Where to listen instead of loopback (see <see cref="LoopbackWebApp.Create"/>).</param>
    public static async Task<GitHubEmulator> StartAsync(GitHubState? state = null, System.Net.IPAddress? address = null)
    {
        var app = LoopbackWebApp.Create(address);
        var emulator = new GitHubEmulator(app, state ?? GitHubState.Sample());
        app.Run(emulator.HandleAsync);
        emulator.Url = new Uri(await LoopbackWebApp.StartAsync(app) + "/");
        return emulator;
    }

    public void InjectFault(GitHubFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    /// <summary>Registers a GitHub App whose JWTs (signed by the private half of <paramref name="publicKey"/>) mint installation tokens.</summary>
    public EmulatedApp RegisterApp(string appId, RSA publicKey, long installationId)
    {
        lock (State.Gate)
        {
            return State.Apps[appId] = new EmulatedApp(appId, publicKey, installationId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        lock (_requests)
        {
            _requests.Add($"{request.Method} {path}{request.QueryString}");
        }

        Interlocked.Increment(ref _requestsServed);
        var fault = TakeFault(request.Method, path);
        if (fault is { Kind: GitHubFaultKind.Latency })
        {
            await Task.Delay(fault.Delay, context.RequestAborted);
        }
        else if (fault is { Kind: GitHubFaultKind.ConnectionReset })
        {
            context.Abort();
            return;
        }
        else if (fault is { Kind: GitHubFaultKind.ServerError })
        {
            await WriteAsync(context, Reply.Error(fault.Status, fault.Status == 502 ? "Server Error" : "Service Unavailable"));
            return;
        }

        Reply reply;
        try
        {
            reply = await RouteAsync(context, path, fault);
        }
        catch (BadRequestException bad)
        {
            reply = Reply.Error(400, bad.Message);
        }

        await WriteAsync(context, reply);
    }

    private GitHubFault? TakeFault(string method, string path)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Matches(method, path));
            if (fault is not null)
            {
                fault.Times--;
            }

            return fault;
        }
    }

    private async Task<Reply> RouteAsync(HttpContext context, string path, GitHubFault? fault)
    {
        var request = context.Request;
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (segments is ["_blob", "logs", var jobId] && request.Method == "GET")
        {
            return BlobLog(jobId, request.Query["sig"].ToString());
        }

        if (segments is ["app", "installations", var installation, "access_tokens"] && request.Method == "POST")
        {
            return MintInstallationToken(request.Headers.Authorization.ToString(), installation);
        }

        var token = Authenticate(request.Headers.Authorization.ToString());
        if (token is null)
        {
            return Reply.Error(401, "Bad credentials");
        }

        var resource = path.StartsWith("/search/code", StringComparison.Ordinal) ? "code_search" : path.StartsWith("/search/", StringComparison.Ordinal) ? "search" : "core";
        var budget = RateLimits[resource];
        var limitHeaders = new Dictionary<string, string>();
        if (fault is { Kind: GitHubFaultKind.SecondaryRateLimit })
        {
            var secondary = Reply.Error(fault.Status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits");
            secondary.Headers["Retry-After"] = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return secondary;
        }

        lock (budget)
        {
            if (budget.Reset <= DateTimeOffset.UtcNow)
            {
                budget.Remaining = budget.Limit;
                budget.Reset = DateTimeOffset.UtcNow.AddHours(1);
            }

            limitHeaders["X-RateLimit-Limit"] = budget.Limit.ToString(CultureInfo.InvariantCulture);
            limitHeaders["X-RateLimit-Reset"] = budget.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            limitHeaders["X-RateLimit-Resource"] = resource;
            if (budget.Remaining <= 0)
            {
                limitHeaders["X-RateLimit-Remaining"] = "0";
                limitHeaders["X-RateLimit-Used"] = budget.Limit.ToString(CultureInfo.InvariantCulture);
                var limited = Reply.Error(403, $"API rate limit exceeded for user ID {State.User(token.Login).Id}. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
                return limited.With(limitHeaders);
            }
        }

        Reply reply;
        try
        {
            reply = await DispatchAsync(context, segments, token);
        }
        catch (JsonException)
        {
            reply = Reply.Error(400, "Problems parsing JSON");
        }

        if (fault is { Kind: GitHubFaultKind.MalformedJson } && reply.Json is not null)
        {
            var text = reply.Json.ToJsonString();
            reply = new Reply(200) { Text = text[..(text.Length / 2)], ContentType = "application/json; charset=utf-8" };
        }

        // A 304 costs nothing; anything else takes one call from the budget (checked when the reply is written).
        reply.Budget = budget;
        reply.With(limitHeaders);
        if (token.Scopes.Count > 0 && !token.FineGrained)
        {
            reply.Headers["X-OAuth-Scopes"] = string.Join(", ", token.Scopes);
        }

        return reply;
    }

    private EmulatedToken? Authenticate(string authorization)
    {
        var value = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..]
            : authorization.StartsWith("token ", StringComparison.OrdinalIgnoreCase) ? authorization[6..] : null;
        lock (State.Gate)
        {
            return value is not null && State.Tokens.TryGetValue(value.Trim(), out var token) && (token.ExpiresAt is null || token.ExpiresAt > DateTimeOffset.UtcNow) ? token : null;
        }
    }

    private async Task WriteAsync(HttpContext context, Reply reply)
    {
        var response = context.Response;
        var body = reply.Json is not null ? Encoding.UTF8.GetBytes(reply.Json.ToJsonString()) : reply.Text is not null ? Encoding.UTF8.GetBytes(reply.Text) : [];
        var status = reply.Status;
        if (context.Request.Method == "GET" && status == 200 && reply.Location is null)
        {
            var etag = $"W/\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
            response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                status = 304;
                Interlocked.Increment(ref _notModifiedServed);
            }
        }

        if (status != 304 && reply.Budget is { } budget)
        {
            lock (budget)
            {
                budget.Remaining = Math.Max(0, budget.Remaining - 1);
                reply.Headers["X-RateLimit-Remaining"] = budget.Remaining.ToString(CultureInfo.InvariantCulture);
                reply.Headers["X-RateLimit-Used"] = (budget.Limit - budget.Remaining).ToString(CultureInfo.InvariantCulture);
            }
        }
        else if (reply.Budget is { } unchanged)
        {
            reply.Headers["X-RateLimit-Remaining"] = unchanged.Remaining.ToString(CultureInfo.InvariantCulture);
        }

        response.StatusCode = status;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }

        if (reply.Location is not null)
        {
            response.Headers.Location = reply.Location;
        }

        response.Headers["X-GitHub-Api-Version-Selected"] = "2022-11-28";
        if (status == 304)
        {
            return;
        }

        response.ContentType = reply.ContentType;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private sealed class BadRequestException(string message) : Exception(message);

    /// <summary>One answer: a status, a JSON or text body, headers.</summary>
    private sealed class Reply(int status)
    {
        public int Status { get; } = status;

        public JsonNode? Json { get; init; }

        public string? Text { get; init; }

        public string ContentType { get; init; } = "application/json; charset=utf-8";

        public string? Location { get; init; }

        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public RateLimitBudget? Budget { get; set; }

        public static Reply Ok(JsonNode json, int status = 200) => new(status) { Json = json };

        public static Reply Error(int status, string message, string documentation = Docs, JsonArray? errors = null)
        {
            var body = new JsonObject { ["message"] = message };
            if (errors is not null)
            {
                body["errors"] = errors;
            }

            body["documentation_url"] = documentation;
            body["status"] = status.ToString(CultureInfo.InvariantCulture);
            return new Reply(status) { Json = body };
        }

        public static Reply Validation(string resource, string field, string code, string documentation) =>
            Error(422, "Validation Failed", documentation, [new JsonObject { ["resource"] = resource, ["code"] = code, ["field"] = field }]);

        public Reply With(Dictionary<string, string> headers)
        {
            foreach (var (name, value) in headers)
            {
                Headers[name] = value;
            }

            return this;
        }
    }
}
