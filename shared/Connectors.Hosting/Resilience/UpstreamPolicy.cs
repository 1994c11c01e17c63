namespace Connectors.Hosting.Resilience;

/// <summary>How calls to one upstream (a database, an API) are fenced.</summary>
public sealed record UpstreamPolicy
{
    /// <summary>The whole call, retries included, must finish within this.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failures that open the circuit.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>How long an open circuit answers at once before one probe call may try again.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for idempotent reads only.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>First backoff; doubled per retry, with full jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Which failures are transient (worth a retry and counted by the breaker).</summary>
    public Func<Exception, bool> IsTransient { get; init; } = DefaultIsTransient;

    public static bool DefaultIsTransient(Exception exception) => exception switch
    {
        Errors.ConnectorException c => c.Code == Errors.ErrorCodes.UpstreamUnavailable,
        HttpRequestException or TimeoutException or IOException => true,
        System.Data.Common.DbException db => db.IsTransient,
        _ => false,
    };
}

/// <summary>Whether a call may be repeated: only reads are retried.</summary>
public enum UpstreamCallKind
{
    Read,
    Write,
}
