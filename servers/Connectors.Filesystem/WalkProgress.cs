using System.Diagnostics;
using ModelContextProtocol;

namespace Connectors.Filesystem;

/// <summary>Progress notifications for walks that take longer than a second (at most one a second; none for fast walks).</summary>
internal sealed class WalkProgress(IProgress<ProgressNotificationValue>? progress)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextReportMs = 1000;

    public void Report(long entriesSeen, string what)
    {
        if (progress is null || _clock.ElapsedMilliseconds < _nextReportMs)
        {
            return;
        }

        _nextReportMs = _clock.ElapsedMilliseconds + 1000;
        progress.Report(new ProgressNotificationValue { Progress = entriesSeen, Message = $"{what}: {entriesSeen:N0} entries so far" });
    }
}
