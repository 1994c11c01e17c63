namespace Connectors.Testing.GitHub;

public enum GitHubFaultKind
{
    /// <summary>Waits <see cref="GitHubFault.Delay"/> before answering normally.</summary>
    Latency,

    /// <summary>Answers <see cref="GitHubFault.Status"/> (a 5xx) with GitHub's error body.</summary>
    ServerError,

    /// <summary>Drops the connection without an answer.</summary>
    ConnectionReset,

    /// <summary>Answers 200 with a JSON body cut in half.</summary>
    MalformedJson,

    /// <summary>Answers <see cref="GitHubFault.Status"/> (403 or 429) with Retry-After, as GitHub's secondary limits do.</summary>
    SecondaryRateLimit,
}

/// <summary>A fault the emulator injects into the next <see cref="Times"/> requests whose path contains <see cref="PathContains"/>.</summary>
public sealed class GitHubFault
{
    public required GitHubFaultKind Kind { get; init; }

    public string PathContains { get; init; } = "/";

    /// <summary>Only requests with this method (null: any).</summary>
    public string? Method { get; init; }

    public int Times { get; set; } = 1;

    public TimeSpan Delay { get; init; }

    public int Status { get; init; } = 503;

    public int RetryAfterSeconds { get; init; } = 60;

    internal bool Matches(string method, string path) =>
        Times > 0 && path.Contains(PathContains, StringComparison.Ordinal) && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One rate-limit budget (GitHub's X-RateLimit-Resource: core, search, code_search).</summary>
public sealed class RateLimitBudget(int limit)
{
    public int Limit { get; set; } = limit;

    public int Remaining { get; set; } = limit;

    public DateTimeOffset Reset { get; set; } = DateTimeOffset.UtcNow.AddHours(1);
}
