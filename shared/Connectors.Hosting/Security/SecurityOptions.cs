using Connectors.Hosting.Configuration;

namespace Connectors.Hosting.Security;

/// <summary>Authentication, authorization, rate limits and audit settings every server accepts (HTTP only, except audit).</summary>
public static class SecurityOptions
{
    public const string AuthNone = "none";
    public const string AuthApiKey = "api-key";
    public const string AuthJwt = "jwt";
    public const string AuthGateway = "gateway";

    public static readonly ConnectorOption<string> Auth = ConnectorOption.Choice(
        "--auth", "CONNECTORS_AUTH", "auth", "How HTTP callers prove who they are (stdio is never authenticated).", AuthNone,
        AuthNone, AuthApiKey, AuthJwt, AuthGateway).Formerly(configKey: "auth.mode");

    public static readonly ConnectorOption<bool> AllowUnauthenticated = ConnectorOption.Flag(
        "--allow-unauthenticated", "CONNECTORS_ALLOW_UNAUTHENTICATED", "allowUnauthenticated",
        "Allow --auth none on a non-loopback address (otherwise the server refuses to start).").Formerly(configKey: "auth.allowUnauthenticated");

    public static readonly ConnectorOption<string> ResourceUri = ConnectorOption.Url(
        "--resource-uri", "CONNECTORS_RESOURCE_URI", "resourceUri",
        "This server's canonical URI, e.g. https://mcp.example.com/mcp: the audience JWTs must carry and the resource of its OAuth metadata.").Formerly(configKey: "auth.resourceUri");

    public static readonly ConnectorOption<IReadOnlyList<string>> ApiKeys = ConnectorOption.List(
        "--api-keys", "CONNECTORS_API_KEYS", "apiKeys",
        "API keys for --auth api-key: 'name:key:scope scope', 'name:sha256:<hex>:scopes' or a bare key (all of this server's scopes); a keys file has one per line.",
        secret: true).Formerly(configKey: "auth.apiKeys");

    public static readonly ConnectorOption<string> JwtIssuer = ConnectorOption.Url(
        "--jwt-issuer", "CONNECTORS_JWT_ISSUER", "jwtIssuer", "The authorization server tokens must come from (iss); its OIDC discovery document gives the keys.").Formerly(configKey: "auth.jwt.issuer");

    public static readonly ConnectorOption<string> JwtJwksUri = ConnectorOption.Url(
        "--jwt-jwks-uri", "CONNECTORS_JWT_JWKS_URI", "jwtJwksUri", "Where the issuer's signing keys are (default: jwks_uri of <issuer>/.well-known/openid-configuration).").Formerly(configKey: "auth.jwt.jwksUri");

    public static readonly ConnectorOption<string> GatewaySecret = ConnectorOption.Text(
        "--gateway-secret", "CONNECTORS_GATEWAY_SECRET", "gatewaySecret", "Shared secret the gateway sends with --auth gateway.", secret: true).Formerly(configKey: "auth.gateway.secret");

    public static readonly ConnectorOption<string> GatewaySecretHeader = ConnectorOption.Text(
        "--gateway-secret-header", "CONNECTORS_GATEWAY_SECRET_HEADER", "gatewaySecretHeader", "Header carrying the gateway's shared secret.", "X-Mcp-Gateway-Secret").Formerly(configKey: "auth.gateway.secretHeader");

    public static readonly ConnectorOption<string> GatewayUserHeader = ConnectorOption.Text(
        "--gateway-user-header", "CONNECTORS_GATEWAY_USER_HEADER", "gatewayUserHeader", "Header carrying the caller's identity, set by the gateway.", "X-Mcp-UserId").Formerly(configKey: "auth.gateway.userHeader");

    public static readonly ConnectorOption<string> GatewayRolesHeader = ConnectorOption.Text(
        "--gateway-roles-header", "CONNECTORS_GATEWAY_ROLES_HEADER", "gatewayRolesHeader", "Header carrying the caller's scopes (comma or space separated), set by the gateway.", "X-Mcp-Roles").Formerly(configKey: "auth.gateway.rolesHeader");

    public static readonly ConnectorOption<IReadOnlyList<string>> ToolScopes = ConnectorOption.List(
        "--tool-scopes", "CONNECTORS_TOOL_SCOPES", "toolScopes", "Scope a tool requires, as tool=scope, overriding <server>:read / <server>:write.").Formerly("--tool-scope", configKey: "auth.toolScopes");

    public static readonly ConnectorOption<int> IdentityCallsPerMinute = ConnectorOption.WholeNumber(
        "--rate-limit-identity", "CONNECTORS_RATE_LIMIT_IDENTITY", "rateLimitIdentity", "Tool calls per minute per identity, in this process (0: no limit).", 0, 0, 1_000_000).Formerly(configKey: "limits.identityCallsPerMinute");

    public static readonly ConnectorOption<int> IdentityBurst = ConnectorOption.WholeNumber(
        "--rate-limit-identity-burst", "CONNECTORS_RATE_LIMIT_IDENTITY_BURST", "rateLimitIdentityBurst", "Calls one identity may make at once before the per-minute rate applies (0: a tenth of the rate).", 0, 0, 1_000_000).Formerly(configKey: "limits.identityBurst");

    public static readonly ConnectorOption<int> ToolCallsPerMinute = ConnectorOption.WholeNumber(
        "--rate-limit-tool", "CONNECTORS_RATE_LIMIT_TOOL", "rateLimitTool", "Calls per minute of each tool, all identities together, in this process (0: no limit).", 0, 0, 1_000_000).Formerly(configKey: "limits.toolCallsPerMinute");

    public static readonly ConnectorOption<int> ToolBurst = ConnectorOption.WholeNumber(
        "--rate-limit-tool-burst", "CONNECTORS_RATE_LIMIT_TOOL_BURST", "rateLimitToolBurst", "Calls of one tool at once before the per-minute rate applies (0: a tenth of the rate).", 0, 0, 1_000_000).Formerly(configKey: "limits.toolBurst");

    public static readonly ConnectorOption<int> ConcurrentRequestsPerIdentity = ConnectorOption.WholeNumber(
        "--max-concurrent-per-identity", "CONNECTORS_MAX_CONCURRENT_PER_IDENTITY", "maxConcurrentPerIdentity", "HTTP requests one identity may have in flight (0: no limit); more get 429.", 0, 0, 100_000).Formerly(configKey: "limits.concurrentRequestsPerIdentity");

    public static readonly ConnectorOption<string> AuditLog = ConnectorOption.Text(
        "--audit-log", "CONNECTORS_AUDIT_LOG", "auditLog", "Where the audit trail goes (one JSON line per tool call): stderr, off, or a file path.", "stderr").Formerly(configKey: "audit.log");

    public static readonly ConnectorOption<int> AuditMaxFileBytes = ConnectorOption.WholeNumber(
        "--audit-max-file-bytes", "CONNECTORS_AUDIT_MAX_FILE_BYTES", "auditMaxFileBytes", "Size at which the audit file is rotated (5 rotated files are kept).", 10 * 1024 * 1024, 4096, int.MaxValue).Formerly(configKey: "audit.maxFileBytes");

    internal static IReadOnlyList<ConnectorOption> Authentication { get; } =
    [
        Auth, AllowUnauthenticated, ResourceUri, ApiKeys, JwtIssuer, JwtJwksUri, GatewaySecret, GatewaySecretHeader, GatewayUserHeader,
        GatewayRolesHeader, ToolScopes,
    ];

    internal static IReadOnlyList<ConnectorOption> RateLimits { get; } =
        [IdentityCallsPerMinute, IdentityBurst, ToolCallsPerMinute, ToolBurst, ConcurrentRequestsPerIdentity];

    internal static IReadOnlyList<ConnectorOption> Audit { get; } = [AuditLog, AuditMaxFileBytes];
}
