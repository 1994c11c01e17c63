using System.Text.Json;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Security;

/// <summary>What this server tells OAuth clients about itself (RFC 9728): its resource URI, issuer and scopes.</summary>
internal sealed class ProtectedResource(ConnectorSettings settings, ConnectorServer server, IOptions<McpServerOptions> mcpOptions, ToolAccess access)
{
    private readonly Uri? _resource = settings.Get(SecurityOptions.ResourceUri) is { Length: > 0 } uri ? new Uri(uri) : null;
    private readonly string _issuer = settings.Get(SecurityOptions.Auth) == SecurityOptions.AuthJwt ? settings.Get(SecurityOptions.JwtIssuer) : "";
    private readonly Lazy<string[]> _scopes = new(() =>
        [.. (mcpOptions.Value.ToolCollection ?? []).Select(t => access.RequiredScope(t.ProtocolTool)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    /// <summary>The resource's path, e.g. <c>/mcp</c>, appended to the well-known path for the path-suffixed form.</summary>
    public string PathSuffix => _resource is null || _resource.AbsolutePath == "/" ? "/mcp" : _resource.AbsolutePath.TrimEnd('/');

    public string MetadataUrl(HttpRequest request) =>
        $"{Origin(request)}/.well-known/oauth-protected-resource{PathSuffix}";

    public async Task WriteMetadataAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=300";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("resource", _resource?.ToString() ?? $"{Origin(context.Request)}/mcp");
        json.WriteStartArray("authorization_servers");
        if (_issuer.Length > 0)
        {
            json.WriteStringValue(_issuer);
        }

        json.WriteEndArray();
        json.WriteStartArray("scopes_supported");
        foreach (var scope in _scopes.Value)
        {
            json.WriteStringValue(scope);
        }

        json.WriteEndArray();
        json.WriteStartArray("bearer_methods_supported");
        json.WriteStringValue("header");
        json.WriteEndArray();
        json.WriteString("resource_name", server.Name);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>The configured resource's origin, or the request's (its Host has passed the allowed-hosts check).</summary>
    private string Origin(HttpRequest request) =>
        _resource is not null ? _resource.GetLeftPart(UriPartial.Authority) : $"{request.Scheme}://{request.Host}";
}
