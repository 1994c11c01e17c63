using System.Buffers;
using System.Text.Unicode;
using System.Text;

namespace Connectors.Database;

/// <summary>The answer's bytes: fields written in the format's quoting and escaping into pooled segments.</summary>
public sealed partial class ResultBuilder
{
    private void Separate()
    {
        if (_column++ > 0)
        {
            WriteBytes(_format == Markdown ? " | "u8 : ","u8);
        }
    }

    private void WriteField(ReadOnlySpan<char> text)
    {
        if (_format == Csv)
        {
            if (text.IndexOfAny(s_csvQuoted) < 0)
            {
                WriteUtf16(text);
            }
            else
            {
                WriteUtf16(CsvField(text.ToString()));
            }
        }
        else if (text.IndexOfAny(s_markdownEscaped) < 0)
        {
            WriteUtf16(text);
        }
        else
        {
            WriteUtf16(MarkdownField(text.ToString()));
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_current.Length - _used < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_current.AsSpan(_used));
        _used += bytes.Length;
        _size += bytes.Length;
    }

    private void WriteUtf16(ReadOnlySpan<char> text)
    {
        while (true)
        {
            // Lone surrogates become U+FFFD, as Encoding.UTF8 counts them; a pair is never split across segments.
            var status = Utf8.FromUtf16(text, _current.AsSpan(_used), out var read, out var written);
            _used += written;
            _size += written;
            if (status == OperationStatus.Done)
            {
                return;
            }

            text = text[read..];
            Grow(Math.Min(text.Length * 3, LargestSegment));
        }
    }

    private void Grow(int atLeast)
    {
        Close();
        var size = Math.Max(atLeast, Math.Clamp(_size, FirstSegment, LargestSegment));
        _current = ArrayPool<byte>.Shared.Rent(size);
        _segments.Add(_current);
        _used = 0;
    }

    private void Close()
    {
        // The last segment's length is kept once it stops filling; a segment with nothing in it is given back at once.
        if (_segments.Count > _lengths.Count)
        {
            if (_used == 0)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _segments.RemoveAt(_segments.Count - 1);
            }
            else
            {
                _lengths.Add(_used);
            }
        }
    }

    private void DropRow()
    {
        while (_segments.Count > Math.Max(_rowSegments, 1))
        {
            ArrayPool<byte>.Shared.Return(_segments[^1]);
            _segments.RemoveAt(_segments.Count - 1);
        }

        // _rowSegments == 0 means the row began before any segment was rented: the first one is emptied and kept.
        _lengths.RemoveRange(Math.Max(_segments.Count - 1, 0), _lengths.Count - Math.Max(_segments.Count - 1, 0));
        _current = _segments.Count > 0 ? _segments[^1] : [];
        _used = _rowSegments == 0 ? 0 : _rowUsed;
        _size = _rowSize;
    }

    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(s_csvQuoted) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string MarkdownField(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);
}
