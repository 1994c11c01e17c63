using Connectors.Hosting.Configuration;

namespace Connectors.Hosting.Security;

/// <summary>Authentication, authorization, rate limits and audit settings every server accepts (HTTP only, except audit).</summary>
public static class SecurityOptions
{
    public const string AuthNone = "none";
    public const string AuthApiKey = "api-key";
    public const string AuthJwt = "jwt";
    public const string AuthGateway = "gateway";

    public static readonly ConnectorOption<string> Auth = ConnectorOptions.Choice(
        "--auth", "CONNECTORS_AUTH", "auth.mode", "How HTTP callers prove who they are (stdio is never authenticated).", AuthNone,
        AuthNone, AuthApiKey, AuthJwt, AuthGateway);

    public static readonly ConnectorOption<bool> AllowUnauthenticated = ConnectorOptions.Flag(
        "--allow-unauthenticated", "CONNECTORS_ALLOW_UNAUTHENTICATED", "auth.allowUnauthenticated",
        "Allow --auth none on a non-loopback address (otherwise the server refuses to start).");

    public static readonly ConnectorOption<string> ResourceUri = ConnectorOptions.Url(
        "--resource-uri", "CONNECTORS_RESOURCE_URI", "auth.resourceUri",
        "This server's canonical URI, e.g. https://mcp.example.com/mcp: the audience JWTs must carry and the resource of its OAuth metadata.");

    public static readonly ConnectorOption<IReadOnlyList<string>> ApiKeys = ConnectorOptions.List(
        "--api-keys", "CONNECTORS_API_KEYS", "auth.apiKeys",
        "API keys for --auth api-key: 'name:key:scope scope', 'name:sha256:<hex>:scopes' or a bare key (all of this server's scopes); a keys file has one per line.",
        secret: true);

    public static readonly ConnectorOption<string> JwtIssuer = ConnectorOptions.Url(
        "--jwt-issuer", "CONNECTORS_JWT_ISSUER", "auth.jwt.issuer", "The authorization server tokens must come from (iss); its OIDC discovery document gives the keys.");

    public static readonly ConnectorOption<string> JwtJwksUri = ConnectorOptions.Url(
        "--jwt-jwks-uri", "CONNECTORS_JWT_JWKS_URI", "auth.jwt.jwksUri", "Where the issuer's signing keys are (default: jwks_uri of <issuer>/.well-known/openid-configuration).");

    public static readonly ConnectorOption<string> GatewaySecret = ConnectorOptions.Text(
        "--gateway-secret", "CONNECTORS_GATEWAY_SECRET", "auth.gateway.secret", "Shared secret the gateway sends with --auth gateway.", secret: true);

    public static readonly ConnectorOption<string> GatewaySecretHeader = ConnectorOptions.Text(
        "--gateway-secret-header", "CONNECTORS_GATEWAY_SECRET_HEADER", "auth.gateway.secretHeader", "Header carrying the gateway's shared secret.", "X-Mcp-Gateway-Secret");

    public static readonly ConnectorOption<string> GatewayUserHeader = ConnectorOptions.Text(
        "--gateway-user-header", "CONNECTORS_GATEWAY_USER_HEADER", "auth.gateway.userHeader", "Header carrying the caller's identity, set by the gateway.", "X-Mcp-UserId");

    public static readonly ConnectorOption<string> GatewayRolesHeader = ConnectorOptions.Text(
        "--gateway-roles-header", "CONNECTORS_GATEWAY_ROLES_HEADER", "auth.gateway.rolesHeader", "Header carrying the caller's scopes (comma or space separated), set by the gateway.", "X-Mcp-Roles");

    public static readonly ConnectorOption<IReadOnlyList<string>> ToolScopes = ConnectorOptions.List(
        "--tool-scope", "CONNECTORS_TOOL_SCOPES", "auth.toolScopes", "Scope a tool requires, as tool=scope, overriding <server>:read / <server>:write.");

    public static readonly ConnectorOption<int> IdentityCallsPerMinute = ConnectorOptions.WholeNumber(
        "--rate-limit-identity", "CONNECTORS_RATE_LIMIT_IDENTITY", "limits.identityCallsPerMinute", "Tool calls per minute per identity, in this process (0: no limit).", 0, 0, 1_000_000);

    public static readonly ConnectorOption<int> IdentityBurst = ConnectorOptions.WholeNumber(
        "--rate-limit-identity-burst", "CONNECTORS_RATE_LIMIT_IDENTITY_BURST", "limits.identityBurst", "Calls one identity may make at once before the per-minute rate applies (0: a tenth of the rate).", 0, 0, 1_000_000);

    public static readonly ConnectorOption<int> ToolCallsPerMinute = ConnectorOptions.WholeNumber(
        "--rate-limit-tool", "CONNECTORS_RATE_LIMIT_TOOL", "limits.toolCallsPerMinute", "Calls per minute of each tool, all identities together, in this process (0: no limit).", 0, 0, 1_000_000);

    public static readonly ConnectorOption<int> ToolBurst = ConnectorOptions.WholeNumber(
        "--rate-limit-tool-burst", "CONNECTORS_RATE_LIMIT_TOOL_BURST", "limits.toolBurst", "Calls of one tool at once before the per-minute rate applies (0: a tenth of the rate).", 0, 0, 1_000_000);

    public static readonly ConnectorOption<int> ConcurrentRequestsPerIdentity = ConnectorOptions.WholeNumber(
        "--max-concurrent-per-identity", "CONNECTORS_MAX_CONCURRENT_PER_IDENTITY", "limits.concurrentRequestsPerIdentity", "HTTP requests one identity may have in flight (0: no limit); more get 429.", 0, 0, 100_000);

    public static readonly ConnectorOption<string> AuditLog = ConnectorOptions.Text(
        "--audit-log", "CONNECTORS_AUDIT_LOG", "audit.log", "Where the audit trail goes (one JSON line per tool call): stderr, off, or a file path.", "stderr");

    public static readonly ConnectorOption<int> AuditMaxFileBytes = ConnectorOptions.WholeNumber(
        "--audit-max-file-bytes", "CONNECTORS_AUDIT_MAX_FILE_BYTES", "audit.maxFileBytes", "Size at which the audit file is rotated (5 rotated files are kept).", 10 * 1024 * 1024, 4096, int.MaxValue);

    internal static IReadOnlyList<ConnectorOption> All { get; } =
    [
        Auth, AllowUnauthenticated, ResourceUri, ApiKeys, JwtIssuer, JwtJwksUri, GatewaySecret, GatewaySecretHeader, GatewayUserHeader,
        GatewayRolesHeader, ToolScopes, IdentityCallsPerMinute, IdentityBurst, ToolCallsPerMinute, ToolBurst, ConcurrentRequestsPerIdentity,
        AuditLog, AuditMaxFileBytes,
    ];
}
