namespace Connectors.Hosting.Tests;

/// <summary>A clock the test moves by hand: time-based behaviour (expiry, backoff, breakers) without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
