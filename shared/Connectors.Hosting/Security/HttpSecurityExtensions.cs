using System.Text.Json;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Http;
using Connectors.Hosting.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Security;

/// <summary>
/// HTTP authentication for a server: <c>--auth api-key|jwt|gateway</c> in front of everything but health and the
/// OAuth protected-resource metadata (RFC 9728), 401 with <c>WWW-Authenticate</c> otherwise. With <c>--auth none</c>,
/// listening beyond loopback needs <c>--allow-unauthenticated</c>.
/// </summary>
public static class HttpSecurityExtensions
{
    private const string MetadataPath = "/.well-known/oauth-protected-resource";

    /// <summary>Checks the security settings against the listen addresses and registers the authenticator they ask for.</summary>
    public static IServiceCollection AddConnectorHttpSecurity(this IServiceCollection services, ConnectorServer server, ConnectorSettings settings, IReadOnlyList<string> urls)
    {
        var mode = settings.Get(SecurityOptions.Auth);
        if (mode == SecurityOptions.AuthNone && !settings.Get(SecurityOptions.AllowUnauthenticated) && urls.FirstOrDefault(u => !IsLoopbackUrl(u)) is { } exposed)
        {
            throw new ConnectorConfigurationException(
                $"--auth none (from {settings.SourceOf(SecurityOptions.Auth)}) on the non-loopback address '{exposed}' would let anyone who reaches it call every tool. " +
                "Choose --auth api-key, jwt or gateway, or pass --allow-unauthenticated if something in front already authenticates.");
        }

        services.AddSingleton(sp => new ProtectedResource(settings, server, sp.GetRequiredService<IOptions<McpServerOptions>>(), sp.GetRequiredService<ToolAccess>()));
        switch (mode)
        {
            case SecurityOptions.AuthApiKey:
                var entries = settings.Get(SecurityOptions.ApiKeys);
                if (entries.Count == 0)
                {
                    throw new ConnectorConfigurationException("--auth api-key needs keys: set CONNECTORS_API_KEYS, or CONNECTORS_API_KEYS_FILE to a keys file (one 'name:key:scopes' per line).");
                }

                services.AddSingleton<IRequestAuthenticator>(sp =>
                {
                    var redactor = sp.GetRequiredService<SecretRedactor>();
                    foreach (var key in ApiKeyAuthenticator.KeyMaterial(entries))
                    {
                        redactor.Add(key);
                    }

                    return new ApiKeyAuthenticator(entries, sp.GetRequiredService<ToolAccess>().DefaultScopes);
                });
                break;
            case SecurityOptions.AuthGateway:
                if (settings.Get(SecurityOptions.GatewaySecret) is not { Length: >= 16 } secret)
                {
                    throw new ConnectorConfigurationException("--auth gateway needs --gateway-secret (CONNECTORS_GATEWAY_SECRET or _FILE) of at least 16 characters.");
                }

                services.AddSingleton<IRequestAuthenticator>(new GatewayAuthenticator(
                    secret,
                    settings.Get(SecurityOptions.GatewaySecretHeader),
                    settings.Get(SecurityOptions.GatewayUserHeader),
                    settings.Get(SecurityOptions.GatewayRolesHeader)));
                break;
            case SecurityOptions.AuthJwt:
                var issuer = settings.Get(SecurityOptions.JwtIssuer);
                var resource = settings.Get(SecurityOptions.ResourceUri);
                if (issuer.Length == 0 || resource.Length == 0)
                {
                    throw new ConnectorConfigurationException("--auth jwt needs --jwt-issuer (the authorization server) and --resource-uri (this server's canonical URI, the tokens' audience).");
                }

                services.AddSingleton<IRequestAuthenticator>(sp => new JwtAuthenticator(
                    issuer, resource, settings.Get(SecurityOptions.JwtJwksUri), TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
                break;
        }

        return services;
    }

    /// <summary>Authenticates every request except health and metadata.</summary>
    public static WebApplication UseConnectorAuthentication(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ConnectorSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Connectors.Security");
        var authenticator = app.Services.GetService<IRequestAuthenticator>();
        var resource = app.Services.GetRequiredService<ProtectedResource>();
        var hosts = app.Services.GetRequiredService<HostOriginValidator>();
        if (authenticator is null && settings.Get(SecurityOptions.AllowUnauthenticated))
        {
            logger.LogWarning("Authentication is off (--auth none --allow-unauthenticated): anyone who reaches this server can call its tools.");
        }

        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var foreignHost = hosts.Check(context.Request) is not null;
            if (foreignHost && path.StartsWithSegments(MetadataPath, StringComparison.OrdinalIgnoreCase))
            {
                // The metadata names this server's origin; never build it from a Host header nobody allowed.
                await WriteErrorAsync(context, StatusCodes.Status403Forbidden, "Forbidden: this Host is not allowed.");
                return;
            }

            if (IsOpenPath(path) || foreignHost)
            {
                // Health and metadata are public; a foreign Host gets its 403 from the MCP handler before any credential is looked at.
                await next(context);
                return;
            }

            if (authenticator is not null)
            {
                var result = await authenticator.AuthenticateAsync(context.Request, context.RequestAborted);
                if (result.Identity is null)
                {
                    logger.LogInformation("Refused a request from {RemoteAddress}: {Reason}", context.Connection.RemoteIpAddress?.ToString(), result.Description);
                    await RefuseAsync(context, result, resource.MetadataUrl(context.Request));
                    return;
                }

                context.User = result.Identity.ToPrincipal();
            }

            await next(context);
        });
        return app;
    }

    /// <summary>RFC 9728 protected resource metadata, at the well-known path and its form suffixed with the resource's path.</summary>
    public static IEndpointRouteBuilder MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints)
    {
        var resource = endpoints.ServiceProvider.GetRequiredService<ProtectedResource>();
        if (endpoints.ServiceProvider.GetService<IRequestAuthenticator>() is null)
        {
            return endpoints;
        }

        RequestDelegate serve = context => resource.WriteMetadataAsync(context);
        endpoints.MapGet(MetadataPath, serve);
        endpoints.MapGet(MetadataPath + resource.PathSuffix, serve);
        return endpoints;
    }

    internal static bool IsLoopbackUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");

    private static bool IsOpenPath(PathString path) =>
        path.StartsWithSegments(MetadataPath, StringComparison.OrdinalIgnoreCase) ||
        path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) ||
        path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);

    private static Task RefuseAsync(HttpContext context, AuthenticationResult result, string metadataUrl)
    {
        var challenge = $"Bearer resource_metadata=\"{metadataUrl}\"";
        if (result.Error is { } error)
        {
            challenge += $", error=\"{error}\", error_description=\"{result.Description}\"";
        }

        context.Response.Headers.WWWAuthenticate = challenge;
        var status = result.Status != StatusCodes.Status401Unauthorized ? result.Status
            : result.Error == "invalid_request" ? StatusCodes.Status400BadRequest
            : StatusCodes.Status401Unauthorized;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        return WriteErrorAsync(context, status, $"{(status == 401 ? "Unauthorized" : status == 400 ? "Bad Request" : "Service Unavailable")}: {result.Description}");
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("jsonrpc", "2.0");
        json.WriteNull("id");
        json.WriteStartObject("error");
        json.WriteNumber("code", -32001);
        json.WriteString("message", message);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
