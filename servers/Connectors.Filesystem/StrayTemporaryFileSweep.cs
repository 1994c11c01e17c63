using Connectors.Filesystem.Native;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Connectors.Filesystem;

/// <summary>
/// Removes what an interrupted write can leave in a writable root. <see cref="AtomicFile"/> names its new content only
/// for the instant before the rename (or, where the filesystem has no unnamed files, for the write), so a kill at that
/// moment leaves a <c>.name.0123456789ab.tmp</c> file behind. At start-up, in the background, the roots are walked as the
/// tools walk them (never through a link, denied entries left alone) and only files of exactly that name shape, older
/// than <see cref="MinimumAge"/> (a write of another server process on the same root may be in flight), are unlinked.
/// </summary>
internal sealed class StrayTemporaryFileSweep(PathGuard guard, ILogger<StrayTemporaryFileSweep> logger) : BackgroundService
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // off the start-up path
        var removed = Sweep(guard, DateTimeOffset.UtcNow - MinimumAge, stoppingToken, (root, error) =>
            logger.LogWarning("Could not sweep stray temporary files under {Root}: {Error}", root, error));
        if (removed.Count > 0)
        {
            logger.LogInformation("Removed {Count} stray temporary file(s) of interrupted writes: {Files}", removed.Count, string.Join(", ", removed.Take(20)));
        }
    }

    /// <returns>The removed files, as root-relative paths.</returns>
    public static List<string> Sweep(PathGuard guard, DateTimeOffset olderThan, CancellationToken cancellationToken, Action<string, string>? onError = null)
    {
        var removed = new List<string>();
        foreach (var root in guard.AllowedRoots)
        {
            try
            {
                using var start = guard.OpenDirectory(guard.Resolve(root.Path));
                foreach (var entry in TreeWalker.Walk(guard, start, TreeWalker.MaxDepthLimit, skip: null, cancellationToken))
                {
                    if (entry.Kind == FileKind.File && AtomicFile.IsTemporaryName(entry.Name)
                        && FileStatus.TryOfEntry(entry.Directory, entry.Name) is { Kind: FileKind.File } status && status.Modified < olderThan
                        && Libc.UnlinkAt((int)entry.Directory.DangerousGetHandle(), entry.Name, 0) == 0)
                    {
                        removed.Add(entry.Relative);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                onError?.Invoke(root.Path, ex.Message);
            }
        }

        return removed;
    }
}
