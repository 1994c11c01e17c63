using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Connectors.Filesystem;

/// <summary>Reading text through an opened handle: binary refusal, line ranges, and tails read from the end.</summary>
internal static class TextFiles
{
    public const int BinarySniffBytes = 8192;

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A text file holds no NUL byte in its first 8 KB (the heuristic git and grep use).</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> head) => head.Contains((byte)0);

    public static void ThrowIfBinary(SafeFileHandle handle, string requested, string argument)
    {
        Span<byte> head = stackalloc byte[BinarySniffBytes];
        var read = RandomAccess.Read(handle, head, 0);
        if (LooksBinary(head[..read]))
        {
            throw ConnectorException.InvalidArgument(argument,
                $"'{requested}' looks like a binary file; read_text_file reads text only (read_media_file returns images and audio).");
        }
    }

    /// <summary>Lines <paramref name="firstLine"/>.. (1-based), at most <paramref name="maxLines"/>, stopping after <paramref name="maxBytes"/>.</summary>
    /// <returns>The lines, and whether reading stopped at the byte limit before the lines asked for.</returns>
    /// <remarks>
    /// Read synchronously: a regular file's read never waits on anything a cancellation could stop, and .NET's async reads
    /// of it only run the same blocking read on another pool thread, a thread hop per call (eng/bench-startup.sh).
    /// The deadline is still honoured between lines.
    /// </remarks>
    public static (List<string> Lines, bool More, int? CutLine) ReadRange(
        SafeFileHandle handle, int firstLine, int? maxLines, int maxBytes, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(handle, FileAccess.Read, 64 * 1024);
        using var reader = new StreamReader(stream, s_utf8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var scanner = new BoundedLineScanner(reader, maxBytes + 1);
        var lines = new List<string>();
        var lineNumber = 0;
        var bytes = 0;
        while (scanner.Next(keep: lineNumber + 1 >= firstLine, out var cut) is { } line)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++lineNumber < firstLine)
            {
                continue;
            }

            if (lines.Count >= maxLines)
            {
                return (lines, false, null);
            }

            if (bytes > maxBytes)
            {
                return (lines, true, null);
            }

            lines.Add(line);
            bytes += s_utf8.GetByteCount(line) + 1;
            if (cut)
            {
                return (lines, true, lineNumber);
            }
        }

        return (lines, false, null);
    }

    /// <summary>
    /// Splits text into lines (LF or CRLF) while holding at most a set number of characters of any one line: a longer
    /// line (a minified bundle, a one-line JSON dump) is cut there and the rest of it skipped, so a read stays bounded
    /// whatever the file holds. Lines not kept (before the first line asked for) are skipped without being held.
    /// </summary>
    private sealed class BoundedLineScanner(StreamReader reader, int maxChars)
    {
        private readonly char[] _buffer = new char[16 * 1024];
        private readonly StringBuilder _line = new();
        private int _start;
        private int _end;

        /// <summary>The next line (empty when not kept), or null at the end of the text.</summary>
        public string? Next(bool keep, out bool cut)
        {
            _line.Clear();
            cut = false;
            var sawAny = false;
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = reader.Read(_buffer, 0, _buffer.Length);
                    if (_end == 0)
                    {
                        return sawAny ? Finish(keep) : null;
                    }
                }

                sawAny = true;
                var available = _buffer.AsSpan(_start, _end - _start);
                var newline = available.IndexOf('\n');
                var part = newline < 0 ? available : available[..newline];
                _start += newline < 0 ? available.Length : newline + 1;
                if (keep && !cut)
                {
                    var room = maxChars - _line.Length;
                    cut = part.Length > room;
                    _line.Append(cut ? part[..room] : part);
                }

                if (newline >= 0)
                {
                    return Finish(keep);
                }
            }
        }

        private string Finish(bool keep)
        {
            if (!keep)
            {
                return "";
            }

            if (_line.Length > 0 && _line[^1] == '\r')
            {
                _line.Length--;
            }

            return _line.ToString();
        }
    }

    /// <summary>The last <paramref name="count"/> lines, reading backwards from the end (at most <paramref name="maxBytes"/>).</summary>
    public static List<string> ReadTail(SafeFileHandle handle, int count, int maxBytes)
    {
        if (count == 0)
        {
            return [];
        }

        var length = RandomAccess.GetLength(handle);
        var start = length;
        var newlines = 0;
        var chunk = new byte[64 * 1024];

        // Walk back until count+1 line ends are seen (the last byte may itself end the last line).
        while (start > 0 && newlines <= count && length - start < maxBytes)
        {
            var size = (int)Math.Min(chunk.Length, start);
            start -= size;
            var read = RandomAccess.Read(handle, chunk.AsSpan(0, size), start);
            newlines += chunk.AsSpan(0, read).Count((byte)'\n');
        }

        var bytes = new byte[length - start];
        RandomAccess.Read(handle, bytes, start);
        var text = s_utf8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (start > 0 && lines.Count > 0)
        {
            lines.RemoveAt(0); // partial first line
        }

        return lines.Count > count ? lines[^count..] : lines;
    }
}
