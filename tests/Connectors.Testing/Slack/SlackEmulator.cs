using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.Slack;

/// <summary>
/// A Slack Web API emulator on Kestrel (127.0.0.1, a free port) serving conversations.list/history/replies/info,
/// users.list/info/profile.get/lookupByEmail, search.messages, chat.postMessage, reactions.add and auth.test from an in-memory
/// <see cref="SlackWorkspace"/>, with Slack's shapes: <c>ok</c>/<c>error</c>, <c>needed</c>/<c>provided</c> on
/// missing_scope, <c>warning</c>, <c>response_metadata.next_cursor</c>, HTTP 429 with <c>Retry-After</c> once a method's
/// per-minute budget (Slack's tiers) is spent, form-encoded or JSON bodies, Bearer tokens. <see cref="Faults"/> injects
/// latency, 5xx, 429 storms, connection resets and malformed JSON. Counters tell tests and benchmarks what was called.
/// </summary>
public sealed partial class SlackEmulator : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _windows = new(StringComparer.Ordinal);
    private int _rateLimitedResponses;

    private SlackEmulator(WebApplication app, SlackWorkspace workspace)
    {
        _app = app;
        Workspace = workspace;
    }

    /// <summary>Base URL of the Web API, ending in <c>/api/</c> (what --api-url takes).</summary>
    public string Url { get; private set; } = "";

    public SlackWorkspace Workspace { get; }

    public SlackFaults Faults { get; } = new();

    /// <summary>Calls per minute each method accepts per token before answering 429 (Slack's tiers; lower it to test).</summary>
    public ConcurrentDictionary<string, int> PerMinuteLimits { get; } = new(StringComparer.Ordinal)
    {
        ["auth.test"] = 100,
        ["users.info"] = 100,
        ["users.profile.get"] = 100,
        ["conversations.history"] = 50,
        ["conversations.replies"] = 50,
        ["conversations.info"] = 50,
        ["users.lookupByEmail"] = 50,
        ["reactions.add"] = 50,
        ["conversations.list"] = 20,
        ["users.list"] = 20,
        ["search.messages"] = 20,
        ["chat.postMessage"] = 60,
    };

    /// <summary>The bodies of chat.postMessage calls that were accepted, as the emulator parsed them.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> PostRequests { get; } = new();

    public int Calls(string method) => _calls.TryGetValue(method, out var count) ? count : 0;

    public int TotalCalls => _calls.Values.Sum();

    /// <summary>HTTP 429 answers served (by budget or by an injected storm).</summary>
    public int RateLimitedResponses => Volatile.Read(ref _rateLimitedResponses);

    public IReadOnlyDictionary<string, int> CallCounts => new Dictionary<string, int>(_calls, StringComparer.Ordinal);

    public void ResetCounters()
    {
        _calls.Clear();
        _windows.Clear();
        Interlocked.Exchange(ref _rateLimitedResponses, 0);
    }

    /// <param name="address">Where to listen instead of loopback (see <see cref="LoopbackWebApp.Create"/>).</param>
    public static async Task<SlackEmulator> StartAsync(SlackWorkspace? workspace = null, System.Net.IPAddress? address = null)
    {
        var app = LoopbackWebApp.Create(address);
        var emulator = new SlackEmulator(app, workspace ?? SlackWorkspace.CreateDefault());
        app.Map("/api/{method}", (Func<HttpContext, string, Task>)emulator.HandleAsync);
        emulator.Url = await LoopbackWebApp.StartAsync(app) + "/api/";
        return emulator;
    }

    private async Task HandleAsync(HttpContext context, string method)
    {
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        if (Faults.Take(method) is { } fault && await ApplyFaultAsync(context, fault))
        {
            return;
        }

        var (args, warning) = await ReadArgumentsAsync(context.Request);
        var token = Bearer(context.Request) ?? args.GetValueOrDefault("token");
        JsonObject answer;
        EmulatedToken? caller = null;
        if (string.IsNullOrEmpty(token))
        {
            answer = Error("not_authed");
        }
        else if (!Workspace.Tokens.TryGetValue(token, out caller))
        {
            answer = Error("invalid_auth");
        }
        else if (caller.Revoked)
        {
            answer = Error("token_revoked");
        }
        else if (OverBudget(method, token) is { } retryAfter)
        {
            Interlocked.Increment(ref _rateLimitedResponses);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            answer = Error("ratelimited");
        }
        else if (caller.IsBot && UserTokenOnly(method))
        {
            answer = Error("not_allowed_token_type");
        }
        else if (RequiredScope(method) is { } scope && !caller.Scopes.Contains(scope))
        {
            answer = Error("missing_scope");
            answer["needed"] = scope;
            answer["provided"] = string.Join(',', caller.Scopes.Order(StringComparer.Ordinal));
        }
        else
        {
            lock (Workspace.Gate)
            {
                answer = Dispatch(method, args, caller);
            }
        }

        if (warning is not null)
        {
            answer["warning"] = warning;
            answer["response_metadata"] ??= new JsonObject();
            answer["response_metadata"]!["warnings"] = new JsonArray(warning);
        }

        if (caller is not null)
        {
            context.Response.Headers["x-oauth-scopes"] = string.Join(',', caller.Scopes.Order(StringComparer.Ordinal));
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private static async Task<bool> ApplyFaultAsync(HttpContext context, SlackFaults.Fault fault)
    {
        switch (fault.Kind)
        {
            case SlackFaultKind.Latency:
                try
                {
                    await Task.Delay(fault.Latency, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return true;
                }

                return false;
            case SlackFaultKind.ServerError:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>503 Service Unavailable</body></html>");
                return true;
            case SlackFaultKind.RateLimited:
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync("""{"ok":false,"error":"ratelimited"}""");
                return true;
            case SlackFaultKind.ConnectionReset:
                context.Abort();
                return true;
            default:
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.WriteAsync("""{"ok":true,"channels":[{"id":"C1",""");
                return true;
        }
    }

    /// <summary>Arguments from the query string and a form or JSON body; JSON without a charset earns Slack's warning.</summary>
    private static async Task<(Dictionary<string, string> Args, string? Warning)> ReadArgumentsAsync(HttpRequest request)
    {
        var args = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        string? warning = null;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var field in form)
            {
                args[field.Key] = field.Value.ToString();
            }
        }
        else if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            if (!request.ContentType.Contains("charset", StringComparison.OrdinalIgnoreCase))
            {
                warning = "missing_charset";
            }

            // A GET with a JSON content type and no body (what fetch-based clients send) is fine on Slack.
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            using var body = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            foreach (var property in body.RootElement.EnumerateObject())
            {
                args[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return (args, warning);
    }

    private static string? Bearer(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null;

    /// <summary>Seconds to wait when this call would exceed the method's budget for the token, or null when it fits.</summary>
    private int? OverBudget(string method, string token)
    {
        if (!PerMinuteLimits.TryGetValue(method, out var limit))
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        var window = _windows.GetOrAdd($"{token}\n{method}", _ => new Queue<DateTimeOffset>());
        lock (window)
        {
            while (window.Count > 0 && now - window.Peek() >= TimeSpan.FromMinutes(1))
            {
                window.Dequeue();
            }

            if (window.Count >= limit)
            {
                return Math.Max(1, (int)Math.Ceiling((window.Peek() + TimeSpan.FromMinutes(1) - now).TotalSeconds));
            }

            window.Enqueue(now);
            return null;
        }
    }

    private static string? RequiredScope(string method) => method switch
    {
        "conversations.list" or "conversations.info" => "channels:read",
        "conversations.history" or "conversations.replies" => "channels:history",
        "users.list" or "users.info" or "users.profile.get" => "users:read",
        "users.lookupByEmail" => "users:read.email",
        "search.messages" => "search:read",
        "chat.postMessage" => "chat:write",
        "reactions.add" => "reactions:write",
        _ => null,
    };

    private static bool UserTokenOnly(string method) => method == "search.messages";

    private static JsonObject Error(string error) => new() { ["ok"] = false, ["error"] = error };

    private static JsonObject Ok() => new() { ["ok"] = true };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
