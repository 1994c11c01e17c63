namespace Connectors.Hosting.Resilience;

/// <summary>
/// Opens after N consecutive failures; while open, refuses at once; after the break one probe is let through
/// (half-open) and its outcome closes or re-opens the circuit.
/// </summary>
internal sealed class CircuitBreaker(UpstreamPolicy policy, TimeProvider time)
{
    private readonly object _gate = new();
    private int _consecutiveFailures;
    private DateTimeOffset? _openUntil;
    private bool _probeInFlight;

    /// <summary>Returns null when the call may go, or how long until it may.</summary>
    public TimeSpan? TryEnter()
    {
        lock (_gate)
        {
            if (_openUntil is not { } openUntil)
            {
                return null;
            }

            var now = time.GetUtcNow();
            if (now < openUntil)
            {
                return openUntil - now;
            }

            if (_probeInFlight)
            {
                return policy.BreakDuration;
            }

            _probeInFlight = true;
            return null;
        }
    }

    public void OnSuccess()
    {
        lock (_gate)
        {
            _consecutiveFailures = 0;
            _openUntil = null;
            _probeInFlight = false;
        }
    }

    public void OnFailure()
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            if (_probeInFlight || _consecutiveFailures >= policy.FailureThreshold)
            {
                _openUntil = time.GetUtcNow() + policy.BreakDuration;
            }

            _probeInFlight = false;
        }
    }

    /// <summary>A call that ended without a verdict (cancelled by its caller) frees the probe slot.</summary>
    public void OnAbandoned()
    {
        lock (_gate)
        {
            _probeInFlight = false;
        }
    }
}
