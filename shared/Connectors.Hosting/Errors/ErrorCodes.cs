namespace Connectors.Hosting.Errors;

/// <summary>Stable error codes carried by tool errors; clients and agents may branch on them.</summary>
public static class ErrorCodes
{
    public const string InvalidArgument = "invalid_argument";
    public const string NotFound = "not_found";
    public const string AlreadyExists = "already_exists";
    public const string Conflict = "conflict";
    public const string Unauthenticated = "unauthenticated";
    public const string PermissionDenied = "permission_denied";
    public const string RateLimited = "rate_limited";
    public const string Timeout = "timeout";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string Cancelled = "cancelled";
    public const string InternalError = "internal_error";
}
