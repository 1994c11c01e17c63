using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Http;
using Connectors.Hosting.Logging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore.Authentication;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Security;

/// <summary>
/// HTTP authentication as ASP.NET Core schemes: <c>--auth api-key|jwt|gateway</c> authenticate, the MCP SDK's scheme
/// serves the RFC 9728 protected-resource metadata and answers 401 with <c>WWW-Authenticate: Bearer resource_metadata</c>.
/// The MCP endpoint requires an authenticated caller (<see cref="RequireConnectorCaller"/>); health and the metadata
/// (<see cref="ResourceMetadataEndpoint"/>) stay public. With <c>--auth none</c> nothing is required, and listening
/// beyond loopback needs <c>--allow-unauthenticated</c>.
/// </summary>
public static class HttpSecurityExtensions
{
    /// <summary>A second SDK scheme whose challenge names the metadata under the configured <c>--resource-uri</c>.</summary>
    private const string CanonicalChallengeScheme = "McpCanonicalResource";

    /// <summary>Checks the security settings against the listen addresses and registers the schemes they ask for.</summary>
    public static IServiceCollection AddConnectorAuthentication(this IServiceCollection services, ConnectorServer server, ConnectorSettings settings, IReadOnlyList<string> urls)
    {
        var mode = settings.Get(SecurityOptions.Auth);
        if (mode == SecurityOptions.AuthNone && !settings.Get(SecurityOptions.AllowUnauthenticated) && urls.FirstOrDefault(u => !IsLoopbackUrl(u)) is { } exposed)
        {
            throw new ConnectorConfigurationException(
                $"--auth none (from {settings.SourceOf(SecurityOptions.Auth)}) on the non-loopback address '{exposed}' would let anyone who reaches it call every tool. " +
                "Choose --auth api-key, jwt or gateway, or pass --allow-unauthenticated if something in front already authenticates.");
        }

        if (mode == SecurityOptions.AuthNone)
        {
            // Nothing to authenticate, so nothing registered: WebApplication puts the authentication middleware at the front
            // of the pipeline by itself wherever its services are registered, called or not.
            return services;
        }

        AddSchemes(services, server, settings, mode);

        // AddAuthentication brings Data Protection, whose hosted service loads or creates a key ring at start-up, writes it
        // to the user's home and warns about it in every log. Nothing here protects data (no cookies, no sessions), so the
        // warm-up goes; should anything ever protect data, its keys stay in memory.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        if (services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService) &&
            d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService") is { } warmUp)
        {
            services.Remove(warmUp);
        }

        return services;
    }

    private static void AddSchemes(IServiceCollection services, ConnectorServer server, ConnectorSettings settings, string mode)
    {
        var scheme = mode switch
        {
            SecurityOptions.AuthApiKey => ApiKeyAuthenticationHandler.SchemeName,
            SecurityOptions.AuthGateway => GatewayAuthenticationHandler.SchemeName,
            _ => JwtBearerDefaults.AuthenticationScheme,
        };
        var resource = settings.Get(SecurityOptions.ResourceUri);
        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultAuthenticateScheme = scheme;
            options.DefaultChallengeScheme = resource.Length > 0 ? CanonicalChallengeScheme : McpAuthenticationDefaults.AuthenticationScheme;
        });

        // The SDK's scheme derives the metadata from the request (any allowed Host, behind a proxy too); with a configured
        // resource URI, a second one challenges with the canonical metadata URL, which a proxy's Host would not give.
        authentication.AddMcp(options => ConfigureMetadata(options, scheme, server, settings, metadataUri: null));
        if (resource.Length > 0)
        {
            var canonical = new Uri($"{new Uri(resource).GetLeftPart(UriPartial.Authority)}{ResourceMetadataEndpoint.Path}{MetadataSuffix(resource)}");
            authentication.AddMcp(CanonicalChallengeScheme, "MCP (canonical resource)", options => ConfigureMetadata(options, scheme, server, settings, canonical));
        }

        services.Replace(ServiceDescriptor.Singleton<IAuthenticationSchemeProvider, ResourceMetadataEndpoint.SchemesWithoutRequestHandling>());

        switch (mode)
        {
            case SecurityOptions.AuthApiKey:
                var entries = settings.Get(SecurityOptions.ApiKeys);
                if (entries.Count == 0)
                {
                    throw new ConnectorConfigurationException("--auth api-key needs keys: set CONNECTORS_API_KEYS, or CONNECTORS_API_KEYS_FILE to a keys file (one 'name:key:scopes' per line).");
                }

                var keys = ApiKeyAuthenticationHandler.ParseAll(entries, ToolAccess.DefaultScopesOf(server.Name));
                authentication.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(scheme, options => options.Keys = keys);
                services.AddOptions<ApiKeyAuthenticationOptions>(scheme).Configure<SecretRedactor>((_, redactor) =>
                {
                    foreach (var key in ApiKeyAuthenticationHandler.KeyMaterial(entries))
                    {
                        redactor.Add(key);
                    }
                });
                break;
            case SecurityOptions.AuthGateway:
                if (settings.Get(SecurityOptions.GatewaySecret) is not { Length: >= 16 } secret)
                {
                    throw new ConnectorConfigurationException("--auth gateway needs --gateway-secret (CONNECTORS_GATEWAY_SECRET or _FILE) of at least 16 characters.");
                }

                authentication.AddScheme<GatewayAuthenticationOptions, GatewayAuthenticationHandler>(scheme, options =>
                {
                    options.SecretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
                    options.SecretHeader = settings.Get(SecurityOptions.GatewaySecretHeader);
                    options.UserHeader = settings.Get(SecurityOptions.GatewayUserHeader);
                    options.RolesHeader = settings.Get(SecurityOptions.GatewayRolesHeader);
                });
                break;
            default:
                var issuer = settings.Get(SecurityOptions.JwtIssuer);
                var jwksUri = settings.Get(SecurityOptions.JwtJwksUri);
                if (issuer.Length == 0 || resource.Length == 0)
                {
                    throw new ConnectorConfigurationException("--auth jwt needs --jwt-issuer (the authorization server) and --resource-uri (this server's canonical URI, the tokens' audience).");
                }

                foreach (var (name, url) in new[] { ("--jwt-issuer", issuer), ("--jwt-jwks-uri", jwksUri) })
                {
                    if (url.Length > 0 && new Uri(url) is { Scheme: not "https", IsLoopback: false })
                    {
                        throw new ConnectorConfigurationException($"{name}: '{url}' must use https (plain http is accepted for loopback only).");
                    }
                }

                authentication.AddJwtBearer(scheme, options => JwtAuthentication.Configure(options, issuer, resource, jwksUri));
                break;
        }
    }

    /// <summary>The MCP endpoint answers authenticated callers only, except with <c>--auth none</c>.</summary>
    public static TBuilder RequireConnectorCaller<TBuilder>(this TBuilder endpoint, ConnectorSettings settings) where TBuilder : IEndpointConventionBuilder =>
        settings.Get(SecurityOptions.Auth) == SecurityOptions.AuthNone ? endpoint : endpoint.WithMetadata(CallerRequirement.Metadata.Instance);

    /// <summary>
    /// In front of the endpoints: a foreign Host or Origin gets 403 before any credential is looked at, an oversized or
    /// ambiguous Authorization header is refused unparsed; then authentication, the caller requirement
    /// (<see cref="CallerRequirement"/>) and the metadata's endpoint. The per-identity cap on requests in flight follows
    /// (rate limiting, which keys on the caller).
    /// </summary>
    public static WebApplication UseConnectorAuthentication(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ConnectorSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Connectors.Security");
        var hosts = app.Services.GetRequiredService<HostOriginValidator>();
        var mode = settings.Get(SecurityOptions.Auth);
        var bearer = mode is SecurityOptions.AuthApiKey or SecurityOptions.AuthJwt;
        if (mode == SecurityOptions.AuthNone && settings.Get(SecurityOptions.AllowUnauthenticated))
        {
            logger.LogWarning("Authentication is off (--auth none --allow-unauthenticated): anyone who reaches this server can call its tools.");
        }

        if (mode == SecurityOptions.AuthApiKey)
        {
            // Builds the API-key options now, so the redactor knows the keys before the first request could log one.
            _ = app.Services.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>().Get(ApiKeyAuthenticationHandler.SchemeName);
        }

        app.Use(async (context, next) =>
        {
            if (IsHealthPath(context.Request.Path))
            {
                await next(context);
                return;
            }

            if (hosts.Check(context.Request) is { } rejection)
            {
                // The metadata names this server's origin: never built from a Host nobody allowed.
                logger.LogWarning("Rejected request: {Reason}", rejection);
                await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, -32000, $"Forbidden: {rejection}");
                return;
            }

            var authorization = context.Request.Headers.Authorization;
            if (authorization.Sum(value => value?.Length ?? 0) > JwtAuthentication.MaxTokenBytes)
            {
                await McpHttpEndpoint.WriteErrorAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, -32001,
                    $"Request Header Fields Too Large: the Authorization header is longer than {JwtAuthentication.MaxTokenBytes / 1024} KB.");
                return;
            }

            if (bearer && authorization.Count > 1)
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Send exactly one Authorization header.");
                return;
            }

            if (bearer && authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) &&
                value.AsSpan("Bearer ".Length).Trim().ContainsAnyExcept(s_token68))
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "The bearer token is malformed.");
                return;
            }

            await next(context);
        });

        // With --auth none nothing is registered for authentication (AddConnectorAuthentication) and no endpoint requires
        // a caller.
        if (mode != SecurityOptions.AuthNone)
        {
            app.UseAuthentication();
            app.UseCallerRequirement();
            app.MapResourceMetadata(settings.Get(SecurityOptions.ResourceUri).Length > 0
                ? [McpAuthenticationDefaults.AuthenticationScheme, CanonicalChallengeScheme]
                : [McpAuthenticationDefaults.AuthenticationScheme]);
        }

        return app;
    }

    internal static bool IsLoopbackUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost");

    /// <summary>
    /// 401 (or another status) with the SDK scheme's challenge, RFC 6750's error code added to it when credentials were
    /// presented and refused, and a JSON-RPC error saying why in words.
    /// </summary>
    internal static async Task RefuseAsync(HttpContext context, int status, string? error, string description)
    {
        await context.ChallengeAsync();
        if (error is not null)
        {
            context.Response.Headers.WWWAuthenticate = $"{context.Response.Headers.WWWAuthenticate}, error=\"{error}\", error_description=\"{description}\"";
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        var reason = status switch { 400 => "Bad Request", 503 => "Service Unavailable", _ => "Unauthorized" };
        await McpHttpEndpoint.WriteErrorAsync(context, status, -32001, $"{reason}: {description}");
    }

    private static readonly System.Buffers.SearchValues<char> s_token68 =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=");

    private static void ConfigureMetadata(McpAuthenticationOptions options, string scheme, ConnectorServer server, ConnectorSettings settings, Uri? metadataUri)
    {
        var resource = settings.Get(SecurityOptions.ResourceUri);
        var issuer = settings.Get(SecurityOptions.Auth) == SecurityOptions.AuthJwt ? settings.Get(SecurityOptions.JwtIssuer) : "";
        var suffix = MetadataSuffix(resource);
        options.ForwardAuthenticate = scheme;
        options.ResourceMetadataUri = metadataUri;
        options.ResourceMetadata = new ProtectedResourceMetadata
        {
            Resource = resource.Length > 0 ? resource : null,
            AuthorizationServers = issuer.Length > 0 ? [issuer] : [],
            ResourceName = server.Name,
        };
        options.Events.OnResourceMetadataRequest = context =>
        {
            var request = context.HttpContext.Request;
            if (!request.Path.Equals(ResourceMetadataEndpoint.Path, StringComparison.OrdinalIgnoreCase) && !request.Path.Equals(ResourceMetadataEndpoint.Path + suffix, StringComparison.OrdinalIgnoreCase))
            {
                // Only the well-known path and its form suffixed with the endpoint's path; anything else is not found.
                context.SkipHandler();
                return Task.CompletedTask;
            }

            var services = context.HttpContext.RequestServices;
            var access = services.GetRequiredService<ToolAccess>();
            var metadata = context.ResourceMetadata!;
            metadata.Resource = resource.Length > 0 ? resource : $"{request.Scheme}://{request.Host}/mcp";
            metadata.ScopesSupported = [.. (services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection ?? [])
                .Select(tool => access.RequiredScope(tool.ProtocolTool)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            context.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
            return Task.CompletedTask;
        };
    }

    /// <summary>The resource's path (e.g. <c>/mcp</c>) that suffixes the well-known path; the endpoint's when there is none.</summary>
    private static string MetadataSuffix(string resource) =>
        resource.Length > 0 && new Uri(resource).AbsolutePath is var path && path != "/" ? path.TrimEnd('/') : "/mcp";

    private static bool IsHealthPath(PathString path) =>
        path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || path.Equals("/readyz", StringComparison.OrdinalIgnoreCase);
}
