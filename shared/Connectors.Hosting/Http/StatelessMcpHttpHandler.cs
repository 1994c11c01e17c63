using System.Text;
using System.Text.Json;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Http;

/// <summary>
/// Streamable HTTP, stateless: every POST gets a fresh transport and <see cref="McpServer"/>, so any replica behind a
/// load balancer can answer any request. Answers SSE when the client accepts it, JSON otherwise.
/// </summary>
internal sealed class StatelessMcpHttpHandler : IDisposable
{
    private static readonly string[] s_supportedProtocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

    private readonly IOptionsFactory<McpServerOptions> _optionsFactory;
    private readonly HostOriginValidator _hostOriginValidator;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeSpan _requestTimeout;
    private readonly long _maxRequestBytes;
    private readonly CancellationTokenSource _drain = new();

    public StatelessMcpHttpHandler(
        IOptionsFactory<McpServerOptions> optionsFactory,
        HostOriginValidator hostOriginValidator,
        ConnectorSettings settings,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _optionsFactory = optionsFactory;
        _hostOriginValidator = hostOriginValidator;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Connectors.Http");
        _requestTimeout = TimeSpan.FromSeconds(settings.Get(CommonOptions.RequestTimeoutSeconds));
        _maxRequestBytes = settings.Get(CommonOptions.MaxRequestBytes);

        // Graceful shutdown: Kestrel lets in-flight requests run; shortly before its bound we cancel the calls still running.
        var shutdown = TimeSpan.FromSeconds(settings.Get(CommonOptions.ShutdownTimeoutSeconds));
        var grace = shutdown > TimeSpan.FromSeconds(2) ? shutdown - TimeSpan.FromSeconds(1) : shutdown / 2;
        lifetime.ApplicationStopping.Register(() => _drain.CancelAfter(grace));
    }

    public void Dispose() => _drain.Dispose();

    public async Task HandleAsync(HttpContext context)
    {
        if (_hostOriginValidator.Check(context.Request) is { } rejection)
        {
            _logger.LogWarning("Rejected request: {Reason}", rejection);
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, -32000, $"Forbidden: {rejection}");
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            // Stateless: no standalone SSE stream (GET) and no session to delete (DELETE).
            context.Response.Headers.Allow = "POST";
            await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, -32000,
                "Method Not Allowed: this server is stateless; send JSON-RPC messages with POST.");
            return;
        }

        var protocolVersion = context.Request.Headers["MCP-Protocol-Version"].ToString();
        if (protocolVersion.Length > 0 && !s_supportedProtocolVersions.Contains(protocolVersion, StringComparer.Ordinal))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32000,
                $"Bad Request: unsupported MCP-Protocol-Version '{Truncate(protocolVersion)}'. Supported: {string.Join(", ", s_supportedProtocolVersions)}.");
            return;
        }

        if (ChooseResponseFormat(context.Request) is not { } useSse)
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, -32000,
                "Not Acceptable: the client must accept application/json or text/event-stream (both, per the MCP specification).");
            return;
        }

        if (context.Request.ContentType is { Length: > 0 } contentType &&
            !(MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, -32000, "Unsupported Media Type: send application/json.");
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _drain.Token);
        timeout.CancelAfter(_requestTimeout);
        var cancellationToken = timeout.Token;

        if (context.Request.ContentLength > _maxRequestBytes)
        {
            // Refuse before reading, so a client that sent Expect: 100-continue never uploads the body.
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, -32600, $"Payload Too Large: the limit is {_maxRequestBytes:N0} bytes.");
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, -32600, $"Payload Too Large: the limit is {_maxRequestBytes:N0} bytes.");
            return;
        }

        if (!IsJson(body))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32700, "Parse error: the body is not valid JSON.");
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(body, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            message = null;
        }

        if (message is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32600, "Bad Request: the body is not a valid JSON-RPC 2.0 message.");
            return;
        }

        if (context.Request.Headers["Mcp-Method"].ToString() is { Length: > 0 } headerMethod &&
            message is JsonRpcRequest or JsonRpcNotification &&
            !string.Equals(headerMethod, (message as JsonRpcRequest)?.Method ?? ((JsonRpcNotification)message).Method, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32600, "Bad Request: the Mcp-Method header does not match the body's method.");
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            message.Context = new JsonRpcMessageContext { User = context.User };
        }

        try
        {
            await ServeAsync(context, message, useSse, cancellationToken);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its tool call was cancelled with it.
        }
        catch (OperationCanceledException) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, -32000, "The request did not finish in time or the server is shutting down.");
        }
        catch (JsonException) when (!context.Response.HasStarted)
        {
            // The SDK's transport reads initialize's params itself and throws on a malformed shape: the caller's mistake, not a 500.
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, -32602, "Invalid params: the request's params do not have the shape its method needs.",
                (message as JsonRpcRequest)?.Id ?? default);
        }
    }

    private async Task ServeAsync(HttpContext context, JsonRpcMessage message, bool useSse, CancellationToken cancellationToken)
    {
        var options = _optionsFactory.Create(Options.DefaultName);
        options.ScopeRequests = false;

        var transport = new StreamableHttpServerTransport(_loggerFactory) { Stateless = true };
        await using var server = McpServer.Create(transport, options, _loggerFactory, context.RequestServices);
        var run = server.RunAsync(cancellationToken);
        try
        {
            if (useSse)
            {
                context.Response.Headers.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache,no-store";
                context.Response.Headers.ContentEncoding = "identity";
                context.Response.Headers["X-Accel-Buffering"] = "no";
                context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
                if (!await transport.HandlePostRequestAsync(message, context.Response.Body, cancellationToken))
                {
                    context.Response.Headers.ContentType = (string?)null;
                    context.Response.StatusCode = StatusCodes.Status202Accepted;
                }

                return;
            }

            using var buffer = new MemoryStream();
            if (!await transport.HandlePostRequestAsync(message, buffer, cancellationToken))
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            var json = LastSseData(buffer);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(json, cancellationToken);
        }
        finally
        {
            await transport.DisposeAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// True for SSE, false for JSON, null when neither is acceptable. SSE is chosen when the client accepts it (progress
    /// notifications can stream); a client that accepts only JSON gets the final message as one JSON body.
    /// </summary>
    internal static bool? ChooseResponseFormat(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return false;
        }

        bool Accepts(string mediaType) => accept.Any(a => a.Quality is not 0 && (a.MediaType.Equals("*/*", StringComparison.Ordinal) ||
            new MediaTypeHeaderValue(mediaType).IsSubsetOf(a)));

        return Accepts("text/event-stream") && accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            ? true
            : Accepts("application/json") ? false
            : Accepts("text/event-stream") ? true
            : null;
    }

    private static ReadOnlyMemory<byte> LastSseData(MemoryStream buffer)
    {
        // The transport writes SSE events; a JSON client gets the data of the last one (the response to its request).
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        string? last = null;
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var data = string.Join("\n", block.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].TrimStart()));
            if (data.Length > 0)
            {
                last = data;
            }
        }

        return Encoding.UTF8.GetBytes(last ?? "");
    }

    private static bool IsJson(byte[] body)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static async Task WriteErrorAsync(HttpContext context, int status, int code, string message, RequestId id = default)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonRpcError { Id = id, Error = new JsonRpcErrorDetail { Code = code, Message = message } };
        await JsonSerializer.SerializeAsync(context.Response.Body, error, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError)), context.RequestAborted);
    }
}
