using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Connectors.Filesystem.Native;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>Decides whether a line matches: a literal (ordinal, optionally ignoring case) or a linear-time regular expression.</summary>
internal sealed class LineMatcher
{
    private const int MaxPatternLength = 1000;

    private readonly string _literal;
    private readonly byte[]? _literalUtf8;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;

    private LineMatcher(string literal, Regex? regex, bool ignoreCase)
    {
        _literal = literal;
        _regex = regex;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _literalUtf8 = regex is null && !ignoreCase ? Encoding.UTF8.GetBytes(literal) : null;
    }

    public static LineMatcher Create(string pattern, bool isRegex, bool ignoreCase)
    {
        if (string.IsNullOrEmpty(pattern) || pattern.Length > MaxPatternLength)
        {
            throw ConnectorException.InvalidArgument(nameof(pattern), $"give 1 to {MaxPatternLength:N0} characters.");
        }

        if (!isRegex)
        {
            return new LineMatcher(pattern, null, ignoreCase);
        }

        try
        {
            // The non-backtracking engine runs in time linear in the input: a hostile pattern cannot stall the server.
            var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Multiline | (ignoreCase ? RegexOptions.IgnoreCase : 0);
            return new LineMatcher(pattern, new Regex(pattern, options), ignoreCase);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw ConnectorException.InvalidArgument(nameof(pattern), $"not a valid regular expression: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            throw ConnectorException.InvalidArgument(nameof(pattern), $"this regular expression needs backtracking, which is not allowed (backreferences, lookarounds, atomic groups): {e.Message}");
        }
    }

    /// <summary>A cheap test on the raw bytes: false means the file cannot match (literal, case-sensitive only).</summary>
    public bool MayMatch(ReadOnlySpan<byte> content) => _literalUtf8 is null || content.IndexOf(_literalUtf8) >= 0;

    public bool MayMatch(string content) => _regex?.IsMatch(content) ?? content.Contains(_literal, _comparison);

    public bool IsMatch(ReadOnlySpan<char> line) => _regex?.IsMatch(line) ?? line.Contains(_literal, _comparison);
}

/// <summary>
/// Searches files met by a walk on all cores: the walk opens each file relative to its directory's handle (never following
/// a link), workers read and match, and results come back in walk order. Stops once enough matching lines are found.
/// </summary>
internal sealed class ContentSearch(LineMatcher matcher, int contextLines, int enoughMatches)
{
    public const int MaxFileBytes = 32 * 1024 * 1024;
    private const int MaxLineChars = 400;

    public sealed record Line(int Number, string Text, bool IsMatch);

    /// <summary>One matching line with its context, in a file.</summary>
    public sealed record Match(string Relative, IReadOnlyList<Line> Lines);

    public sealed record Outcome(IReadOnlyList<Match> Matches, int FilesSearched, int BinaryFiles, int LargeFiles, bool Stopped);

    private int _matchCount;
    private int _filesSearched;
    private int _binaryFiles;
    private int _largeFiles;

    public async Task<Outcome> RunAsync(IEnumerable<WalkEntry> files, CancellationToken cancellationToken)
    {
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = Channel.CreateBounded<Job>(new BoundedChannelOptions(256) { SingleWriter = true });
        var results = new List<(int Index, List<Match> Matches)>();
        var workers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => Task.Run(async () =>
        {
            var found = new List<(int, List<Match>)>();
            await foreach (var job in jobs.Reader.ReadAllAsync(CancellationToken.None))
            {
                using (job.Handle)
                {
                    if (!enough.IsCancellationRequested && Search(job) is { Count: > 0 } matches)
                    {
                        found.Add((job.Index, matches));
                        if (Interlocked.Add(ref _matchCount, matches.Count) >= enoughMatches)
                        {
                            await enough.CancelAsync();
                        }
                    }
                }
            }

            return found;
        }, CancellationToken.None)).ToList();

        var stopped = false;
        try
        {
            var index = 0;
            foreach (var entry in files)
            {
                if (enough.IsCancellationRequested)
                {
                    stopped = !cancellationToken.IsCancellationRequested;
                    break;
                }

                if (Open(entry) is { } handle)
                {
                    await jobs.Writer.WriteAsync(new Job(index++, entry.Relative, handle), cancellationToken);
                }
            }
        }
        finally
        {
            jobs.Writer.Complete();
            foreach (var worker in workers)
            {
                results.AddRange(await worker);
            }

            // Jobs left unread when the search stopped still hold handles.
            while (jobs.Reader.TryRead(out var left))
            {
                left.Handle.Dispose();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var ordered = results.OrderBy(r => r.Index).SelectMany(r => r.Matches).ToList();
        return new Outcome(ordered, _filesSearched, _binaryFiles, _largeFiles, stopped || _matchCount >= enoughMatches);
    }

    private SafeFileHandle? Open(WalkEntry entry)
    {
        var fd = Libc.OpenAt((int)entry.Directory.DangerousGetHandle(), entry.Name,
            Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private List<Match>? Search(Job job)
    {
        FileStatus status;
        try
        {
            status = FileStatus.Of(job.Handle);
        }
        catch (FileSystemException)
        {
            return null;
        }

        if (status.Kind != FileKind.File)
        {
            return null;
        }

        if (status.Size > MaxFileBytes)
        {
            Interlocked.Increment(ref _largeFiles);
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, status.Size));
        try
        {
            var length = 0;
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(job.Handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
            }

            var content = buffer.AsSpan(0, length);
            if (TextFiles.LooksBinary(content[..Math.Min(length, TextFiles.BinarySniffBytes)]))
            {
                Interlocked.Increment(ref _binaryFiles);
                return null;
            }

            Interlocked.Increment(ref _filesSearched);
            if (!matcher.MayMatch(content))
            {
                return null;
            }

            var text = Encoding.UTF8.GetString(content);
            return matcher.MayMatch(text) ? MatchLines(job.Relative, text) : null;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private List<Match> MatchLines(string relative, string text)
    {
        var starts = new List<int> { 0 };
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            starts.Add(i + 1);
        }

        if (starts[^1] == text.Length && starts.Count > 1)
        {
            starts.RemoveAt(starts.Count - 1); // the file ends with a newline: no empty last line
        }

        ReadOnlySpan<char> LineAt(int index)
        {
            var end = index + 1 < starts.Count ? starts[index + 1] - 1 : text.Length;
            return text.AsSpan(starts[index], end - starts[index]).TrimEnd('\r');
        }

        var matching = new List<int>();
        for (var i = 0; i < starts.Count; i++)
        {
            if (matcher.IsMatch(LineAt(i)))
            {
                matching.Add(i);
            }
        }

        var matchSet = matching.ToHashSet();
        var matches = new List<Match>(matching.Count);
        foreach (var index in matching)
        {
            var lines = new List<Line>();
            for (var i = Math.Max(0, index - contextLines); i <= Math.Min(starts.Count - 1, index + contextLines); i++)
            {
                lines.Add(new Line(i + 1, Shorten(LineAt(i)), matchSet.Contains(i)));
            }

            matches.Add(new Match(relative, lines));
        }

        return matches;
    }

    private static string Shorten(ReadOnlySpan<char> line) =>
        line.Length <= MaxLineChars ? line.ToString() : string.Concat(line[..MaxLineChars], $"… [{line.Length - MaxLineChars:N0} more characters]");

    private sealed record Job(int Index, string Relative, SafeFileHandle Handle);
}
