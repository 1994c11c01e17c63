namespace Connectors.Hosting;

/// <summary>
/// Building a server's tools (their input and output JSON schemas) allocates about 8 MB that is garbage as soon as the
/// tool list exists, on a heap no collection has run on yet: without one, an idle server keeps it all resident. An IDE
/// keeps its stdio servers idle most of their lives and a pool its replicas, so shortly after start-up, once the first
/// requests have been answered, one collection that also decommits the freed memory
/// (<see cref="GCCollectionMode.Aggressive"/>, made for an application going idle) returns it: about 6 MB of idle RSS
/// for a pause of a few milliseconds, once (eng/idle-smaps.py).
/// </summary>
internal static class StartupGarbage
{
    /// <summary>Long after a client's initialize is answered (tens of milliseconds), short of any idle measurement.</summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(300);

    public static void CollectSoon(CancellationToken cancellationToken) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(s_settle, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }, CancellationToken.None);
}
