using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Http;

/// <summary>
/// Streamable HTTP on the SDK's own endpoint (<c>MapMcp</c>, stateless: any replica answers any request), with what the
/// SDK leaves to the application around it: the body cap's 413, the per-request deadline, the drain on shutdown, a JSON answer for clients that accept only JSON, and the
/// per-identity cap on requests in flight (ASP.NET Core rate limiting). DNS-rebinding protection sits in front of
/// authentication (<see cref="HttpSecurityExtensions.UseConnectorAuthentication"/>), so a foreign Host is refused first.
/// </summary>
internal static class McpHttpEndpoint
{
    public const string Pattern = "/mcp";

    private const string IdentityConcurrencyPolicyName = "mcp-identity-in-flight";

    /// <summary>The SDK's HTTP transport, stateless, and the ASP.NET Core rate limiting its endpoint uses.</summary>
    public static IMcpServerBuilder WithConnectorHttpTransport(this IMcpServerBuilder mcp, ConnectorSettings settings)
    {
        mcp.WithHttpTransport(options => options.Stateless = true);
        mcp.Services.AddSingleton<IOptionsFactory<McpServerOptions>, SharedServerOptionsFactory>();
        mcp.Services.AddSingleton<McpRequestGuards>();

        var inFlightPerIdentity = settings.Get(SecurityOptions.ConcurrentRequestsPerIdentity);
        mcp.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(IdentityConcurrencyPolicyName, context => RateLimitPartition.GetConcurrencyLimiter(
                IdentityKey(context), _ => new ConcurrencyLimiterOptions { PermitLimit = inFlightPerIdentity, QueueLimit = 0 }));
            options.OnRejected = (rejected, _) =>
            {
                var context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = "1";
                var name = CallerIdentity.From(context.User)?.Name ?? CallerIdentity.Unauthenticated.Name;
                return new ValueTask(WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, -32001,
                    $"Too Many Requests: '{name}' has the most requests in flight it may have; retry after 1 s."));
            };
        });
        return mcp;
    }

    /// <summary>
    /// The rest of what the SDK's endpoint leaves to us (<see cref="McpRequestGuards"/>), the request deadline included;
    /// after authentication and rate limiting, so nothing of an unauthenticated request's body is read.
    /// </summary>
    public static WebApplication UseMcpRequestGuards(this WebApplication app)
    {
        app.Use(app.Services.GetRequiredService<McpRequestGuards>().InvokeAsync);
        return app;
    }

    /// <summary>
    /// Maps <c>POST /mcp</c> (GET and DELETE answer 405 with <c>Allow: POST</c>: stateless, there is no stream or session).
    /// Call after authentication and <c>UseRateLimiter</c>; the builder takes further conventions (authorization).
    /// </summary>
    public static IEndpointConventionBuilder MapConnectorMcp(this IEndpointRouteBuilder endpoints, ConnectorSettings settings)
    {
        var endpoint = endpoints.MapMcp(Pattern);
        return settings.Get(SecurityOptions.ConcurrentRequestsPerIdentity) > 0 ? endpoint.RequireRateLimiting(IdentityConcurrencyPolicyName) : endpoint;
    }

    // The same identity the tool pipeline's rate limits and audit use; every unauthenticated caller shares one partition.
    private static string IdentityKey(HttpContext context) => (CallerIdentity.From(context.User) ?? CallerIdentity.Unauthenticated).Key;

    internal static Task WriteErrorAsync(HttpContext context, int status, int code, string message, RequestId id = default)
    {
        context.Response.StatusCode = status;
        var error = new JsonRpcError { Id = id, Error = new JsonRpcErrorDetail { Code = code, Message = message } };
        context.Response.ContentType = "application/json";
        // To the body stream, which a JSON answer swaps for its buffer; not with RequestAborted, which is the token already
        // cancelled when the deadline or the drain answers.
        return JsonSerializer.SerializeAsync(context.Response.Body, error, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError)), CancellationToken.None);
    }
}

/// <summary>
/// What the SDK's endpoint does not do itself, as one middleware on the MCP path: the body cap's 413 and the parse
/// error's -32700 as JSON-RPC errors, a 400 rather than a 500 for params the SDK cannot read, Mcp-Method checked on every
/// protocol version, the request deadline and the drain on shutdown, and the answer format (SSE or JSON) the client's
/// Accept asks for. The deadline is a timer on the one token source the request already needs for the drain, rather than
/// ASP.NET Core's request-timeouts middleware, which adds a second source and a middleware to every call.
/// </summary>
internal sealed class McpRequestGuards : IDisposable
{
    private const string BothMediaTypes = "application/json, text/event-stream";
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private static readonly MediaTypeHeaderValue s_sse = new("text/event-stream");

    private readonly long _maxRequestBytes;
    private readonly TimeSpan _requestTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _drain = new();

    public McpRequestGuards(ConnectorSettings settings, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    {
        _maxRequestBytes = settings.Get(CommonOptions.MaxRequestBytes);
        _requestTimeout = TimeSpan.FromSeconds(settings.Get(CommonOptions.RequestTimeoutSeconds));
        _logger = loggerFactory.CreateLogger("Connectors.Http");

        // Kestrel lets in-flight requests run on shutdown; shortly before its bound we cancel the calls still running,
        // so each ends with its cancellation rather than a dropped connection.
        var shutdown = TimeSpan.FromSeconds(settings.Get(CommonOptions.ShutdownTimeoutSeconds));
        var grace = shutdown > TimeSpan.FromSeconds(2) ? shutdown - TimeSpan.FromSeconds(1) : shutdown / 2;
        lifetime.ApplicationStopping.Register(() => _drain.CancelAfter(grace));
    }

    public void Dispose() => _drain.Dispose();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments(McpHttpEndpoint.Pattern) || !HttpMethods.IsPost(context.Request.Method))
        {
            // GET and DELETE are not mapped (stateless: no stream, no session), so routing answers 405 with Allow: POST.
            await next(context);
            return;
        }

        if (context.Request.ContentType is null)
        {
            // Routing answers 415 for a media type other than JSON; a missing one would reach the SDK's reader and fail there.
            await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, -32000, "Unsupported Media Type: send application/json.");
            return;
        }

        var answerAsJson = false;
        if (context.Request.Headers.Accept is [BothMediaTypes])
        {
            // What MCP clients send: the SDK serves it as it is, and parsing it on every call is not needed to know that.
        }
        else if (ChooseResponseFormat(context.Request) is { } useSse)
        {
            // The SDK serves only clients that accept both, as the specification asks of them; we also serve those that
            // accept one, and answer a JSON-only client with the final message as one JSON body.
            context.Request.Headers.Accept = BothMediaTypes;
            answerAsJson = !useSse;
        }

        var clientGone = context.RequestAborted;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(clientGone, _drain.Token);
        aborted.CancelAfter(_requestTimeout);
        context.RequestAborted = aborted.Token;
        using var body = new MemoryStream();
        try
        {
            // Read whole (Kestrel stops it at the cap) so that text which is not JSON gets JSON-RPC's parse error, which
            // the SDK reports as an invalid request.
            await context.Request.Body.CopyToAsync(body, aborted.Token);
            if (!TryReadMethod(body.GetBuffer().AsSpan(0, (int)body.Length), out var method))
            {
                await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32700, "Parse error: the body is not valid JSON.");
                return;
            }

            // The SDK compares Mcp-Method with the body only on 2026-07-28, where the header is defined; a gateway may route
            // or authorize on it whatever the version, so a header that says one method and a body another is refused.
            if (context.Request.Headers["Mcp-Method"] is [{ } headerMethod] && method is not null && !string.Equals(headerMethod.Trim(), method, StringComparison.Ordinal))
            {
                await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32020,
                    "Header mismatch: the Mcp-Method header does not match the body's method.", RequestIdOf(body));
                return;
            }

            body.Position = 0;
            context.Request.Body = body;
            await (answerAsJson ? AnswerAsJsonAsync(context, next) : next(context));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // Kestrel's MaxRequestBodySize; a declared Content-Length past it fails before 100-continue, so nothing is uploaded.
            await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, -32600, $"Payload Too Large: the limit is {_maxRequestBytes:N0} bytes.");
        }
        catch (JsonException) when (!context.Response.HasStarted)
        {
            // The SDK's transport reads initialize's params itself and throws on a malformed shape: the caller's mistake, not a 500.
            await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32602,
                "Invalid params: the request's params do not have the shape its method needs.", RequestIdOf(body));
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            // The client went away; its tool call was cancelled with it.
        }
        catch (OperationCanceledException)
        {
            // Shutdown or the request deadline; once the answer has started, ending it is all that is left to do.
            var draining = _drain.IsCancellationRequested;
            _logger.LogInformation("A request was cancelled by {Cause}", draining ? "shutdown" : "its deadline");
            if (!context.Response.HasStarted)
            {
                await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, -32000, draining
                    ? "The server is shutting down; retry the request."
                    : "The request did not finish within this server's request timeout and was stopped.");
            }
        }
    }

    /// <summary>False when the text is not JSON; otherwise the top-level "method" string, when there is one.</summary>
    private static bool TryReadMethod(ReadOnlySpan<byte> text, out string? method)
    {
        method = null;
        var reader = new Utf8JsonReader(text);
        try
        {
            while (reader.Read())
            {
                if (reader is { TokenType: JsonTokenType.PropertyName, CurrentDepth: 1 } && reader.ValueTextEquals("method"u8) &&
                    reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    method = reader.GetString();
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static RequestId RequestIdOf(MemoryStream body)
    {
        try
        {
            return (JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage))) as JsonRpcRequest)?.Id ?? default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>Runs the endpoint into a buffer, then sends the last SSE message (the response to the request) as JSON.</summary>
    private static async Task AnswerAsJsonAsync(HttpContext context, RequestDelegate next)
    {
        var responseBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(responseBody);
        }

        buffer.Position = 0;
        var response = context.Response;
        if (response.ContentType is { } contentType && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            string? last = null;
            foreach (var item in SseParser.Create(buffer).Enumerate())
            {
                last = item.Data;
            }

            response.ContentType = "application/json";
            var json = Encoding.UTF8.GetBytes(last ?? "");
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, context.RequestAborted);
        }
        else if (buffer.Length > 0)
        {
            response.ContentLength = buffer.Length;
            await buffer.CopyToAsync(response.Body, context.RequestAborted);
        }
    }

    /// <summary>
    /// True for SSE, false for JSON, null when neither is acceptable (the SDK answers 406). SSE when the client names it
    /// (progress notifications can stream); JSON when it accepts JSON only, or sends no Accept at all.
    /// </summary>
    private static bool? ChooseResponseFormat(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return false;
        }

        var accepted = accept.Where(a => a.Quality is not 0).ToList();
        return accepted.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)) ? true
            : accepted.Any(a => s_json.IsSubsetOf(a)) ? false
            : accepted.Any(a => s_sse.IsSubsetOf(a)) ? true
            : null;
    }
}
