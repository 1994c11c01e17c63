namespace Connectors.Testing.Slack;

public enum SlackFaultKind
{
    /// <summary>Answer normally, after a delay.</summary>
    Latency,

    /// <summary>HTTP 503 with an HTML body, as a load balancer in trouble sends.</summary>
    ServerError,

    /// <summary>HTTP 429 with Retry-After and <c>{"ok":false,"error":"ratelimited"}</c>.</summary>
    RateLimited,

    /// <summary>The connection is aborted before any answer.</summary>
    ConnectionReset,

    /// <summary>HTTP 200 with a body that is not valid JSON.</summary>
    MalformedJson,
}

/// <summary>Faults the emulator injects, for one method or all, a number of times or until cleared.</summary>
public sealed class SlackFaults
{
    private readonly List<Fault> _faults = [];

    /// <param name="method">Only this Web API method (e.g. conversations.history); every method when null.</param>
    /// <param name="times">How many calls the fault hits; every call until <see cref="Clear"/> by default.</param>
    public void Add(SlackFaultKind kind, string? method = null, int times = int.MaxValue, TimeSpan? latency = null, int retryAfterSeconds = 1)
    {
        lock (_faults)
        {
            _faults.Add(new Fault(kind, method, latency ?? TimeSpan.FromSeconds(1), retryAfterSeconds) { Remaining = times });
        }
    }

    public void Clear()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    internal Fault? Take(string method)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && (f.Method is null || f.Method == method));
            if (fault is not null)
            {
                fault.Remaining--;
            }

            return fault;
        }
    }

    internal sealed record Fault(SlackFaultKind Kind, string? Method, TimeSpan Latency, int RetryAfterSeconds)
    {
        public int Remaining { get; set; }
    }
}
