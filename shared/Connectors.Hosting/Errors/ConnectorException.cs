namespace Connectors.Hosting.Errors;

/// <summary>
/// The one exception family of Connectors. Its message is user-safe by construction: it is shown to the client as is,
/// so never put exception text, connection strings, tokens or paths outside the allowed roots into it.
/// </summary>
public class ConnectorException : Exception
{
    public ConnectorException(string code, string message, bool retryable = false, int? retryAfterSeconds = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Retryable = retryable;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public string Code { get; }

    public bool Retryable { get; }

    public int? RetryAfterSeconds { get; }

    /// <summary>The argument at fault, for <see cref="ErrorCodes.InvalidArgument"/>.</summary>
    public string? Argument { get; init; }

    public static ConnectorException InvalidArgument(string argument, string reason) =>
        new(ErrorCodes.InvalidArgument, $"Invalid argument '{argument}': {reason}") { Argument = argument };

    public static ConnectorException NotFound(string message) => new(ErrorCodes.NotFound, message);

    /// <summary>The server's own credentials for an upstream (a token, a key) are missing, invalid, expired or revoked.</summary>
    public static ConnectorException Unauthenticated(string message) => new(ErrorCodes.Unauthenticated, message);

    public static ConnectorException PermissionDenied(string message) => new(ErrorCodes.PermissionDenied, message);

    /// <summary>The request conflicts with the current state (a reused idempotency key, a stale precondition).</summary>
    public static ConnectorException Conflict(string message) => new(ErrorCodes.Conflict, message);

    public static ConnectorException Timeout(string message) => new(ErrorCodes.Timeout, message, retryable: true);

    public static ConnectorException RateLimited(string message, int retryAfterSeconds) =>
        new(ErrorCodes.RateLimited, message, retryable: true, retryAfterSeconds: retryAfterSeconds);

    public static ConnectorException UpstreamUnavailable(string message, int? retryAfterSeconds = null, Exception? innerException = null) =>
        new(ErrorCodes.UpstreamUnavailable, message, retryable: true, retryAfterSeconds: retryAfterSeconds, innerException: innerException);
}
