using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using System.Text;
using System.Text.Json;

namespace Connectors.Database;

/// <summary>
/// Builds one result text in the requested format, row by row, within a byte budget: a row that would not fit is not
/// added, so the caller stops reading and says how to narrow the query. Cells are written straight into pooled UTF-8
/// segments (no string per row or per number), which are counted as they fill and turned into the answer's one string
/// at the end; the segments go back to the pool then.
/// </summary>
public sealed partial class ResultBuilder
{
    private static readonly SearchValues<char> s_csvQuoted = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> s_markdownEscaped = SearchValues.Create("\\|\r\n");
    private static readonly SearchValues<byte> s_jsonEscapedUtf8 = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);
    private static readonly SearchValues<byte> s_csvQuotedUtf8 = SearchValues.Create(",\"\r\n"u8);
    private static readonly SearchValues<byte> s_markdownEscapedUtf8 = SearchValues.Create("\\|\r\n"u8);

    // Segments grow from small (most answers are a few KB) to a ceiling, so a large answer takes few of them.
    private const int FirstSegment = 16 * 1024;
    private const int LargestSegment = 1024 * 1024;

    private readonly string _format;
    private readonly int _maxBytes;
    private readonly List<byte[]> _segments = [];
    private readonly List<int> _lengths = [];
    private byte[] _current = [];
    private int _used;
    private int _size;
    private int _rowSegments;
    private int _rowUsed;
    private int _rowSize;
    private int _column;
    private byte[] _scratch = [];

    public ResultBuilder(string format, int maxBytes)
    {
        _format = format;
        _maxBytes = maxBytes;
    }

    public const string Json = "json";
    public const string Csv = "csv";
    public const string Markdown = "markdown";

    public static readonly string[] Formats = [Json, Csv, Markdown];

    public int RowCount { get; private set; }

    /// <summary>The budget in bytes; no single value longer than this many characters could be shown.</summary>
    public int MaxBytes => _maxBytes;

    /// <summary>Whether the row being written is already past the budget, so reading its other cells would be wasted.</summary>
    internal bool RowOverBudget => _size > _maxBytes;

    public IReadOnlyList<ResultColumn> Columns { get; private set; } = [];

    public void SetColumns(IReadOnlyList<ResultColumn> columns)
    {
        Columns = columns;
        var head = _format switch
        {
            Csv => string.Join(',', columns.Select(c => CsvField(c.Name))) + "\n",
            Markdown => "| " + string.Join(" | ", columns.Select(c => MarkdownField($"{c.Name} ({c.Type})"))) + " |\n|" +
                string.Concat(columns.Select(_ => " --- |")) + "\n",
            _ => "{\"columns\":[" + string.Join(',', columns.Select(c => $"{{\"name\":{Quote(c.Name)},\"type\":{Quote(c.Type)}}}")) + "],\"rows\":[",
        };
        WriteUtf16(head);
    }

    /// <summary>
    /// A buffer of at least <paramref name="length"/> bytes for reading one raw value before it is written; the same one
    /// serves every cell (so no rent per cell) and goes back to the pool with the segments.
    /// </summary>
    internal byte[] Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1024));
        }

        return _scratch;
    }

    /// <summary>Starts a row; its cells follow, then <see cref="EndRow"/>.</summary>
    internal void BeginRow()
    {
        _rowSegments = _segments.Count;
        _rowUsed = _used;
        _rowSize = _size;
        _column = 0;
        WriteBytes(_format switch
        {
            Csv => ""u8,
            Markdown => "| "u8,
            _ => RowCount == 0 ? "["u8 : ",["u8,
        });
    }

    /// <summary>Ends the row: kept when the answer still fits the budget, otherwise taken back out (false).</summary>
    internal bool EndRow()
    {
        WriteBytes(_format switch
        {
            Csv => "\n"u8,
            Markdown => " |\n"u8,
            _ => "]"u8,
        });
        if (_size > _maxBytes)
        {
            DropRow();
            return false;
        }

        RowCount++;
        return true;
    }

    internal void WriteCell(Cell cell)
    {
        if (cell.Text is null)
        {
            WriteNull();
        }
        else if (cell.Raw)
        {
            WriteJson(cell.Text);
        }
        else
        {
            WriteText(cell.Text);
        }
    }

    internal void WriteNull()
    {
        Separate();
        WriteBytes(_format switch
        {
            Csv => ""u8,
            Markdown => "NULL"u8,
            _ => "null"u8,
        });
    }

    /// <summary>A text value: quoted in JSON, quoted or escaped in CSV and markdown as needed.</summary>
    internal void WriteText(ReadOnlySpan<char> text)
    {
        Separate();
        if (_format is Csv or Markdown)
        {
            WriteField(text);
        }
        else if (text.IndexOfAnyInRange('\0', '\u001f') < 0 && text.IndexOfAny('"', '\\') < 0)
        {
            // Most values need no escaping; only the others pay for the serializer.
            WriteBytes("\""u8);
            WriteUtf16(text);
            WriteBytes("\""u8);
        }
        else
        {
            WriteUtf16(Quote(text.ToString()));
        }
    }

    /// <summary>
    /// A text value given as UTF-8 (as PostgreSQL sends it): copied as it is when nothing in it needs escaping in this
    /// format (the same test <see cref="WriteText"/> applies to characters), otherwise decoded and written as text.
    /// Invalid UTF-8 is decoded with U+FFFD in place of the bad bytes.
    /// </summary>
    internal void WriteTextUtf8(ReadOnlySpan<byte> utf8)
    {
        var escaped = _format switch
        {
            Csv => s_csvQuotedUtf8,
            Markdown => s_markdownEscapedUtf8,
            _ => s_jsonEscapedUtf8,
        };
        if (utf8.IndexOfAny(escaped) >= 0 || !Utf8.IsValid(utf8))
        {
            WriteText(Encoding.UTF8.GetString(utf8));
            return;
        }

        WriteToken(utf8, quoted: true);
    }

    /// <summary>A value that is already JSON (json columns, arrays): as it is in JSON, as text in CSV and markdown.</summary>
    internal void WriteJson(ReadOnlySpan<char> json)
    {
        Separate();
        if (_format is Csv or Markdown)
        {
            WriteField(json);
        }
        else
        {
            WriteUtf16(json);
        }
    }

    /// <summary>
    /// A JSON number, boolean or other token of ASCII letters, digits, signs and points, which no format needs to quote;
    /// <paramref name="quoted"/> makes it a JSON string instead (dates, uuids, integers too large for a double, and UTF-8
    /// text that needs no escaping).
    /// </summary>
    internal void WriteToken(ReadOnlySpan<byte> ascii, bool quoted)
    {
        Separate();
        var json = quoted && _format is not (Csv or Markdown);
        if (json)
        {
            WriteBytes("\""u8);
        }

        WriteBytes(ascii);
        if (json)
        {
            WriteBytes("\""u8);
        }
    }

    /// <summary>The answer, saying in words when rows were cut and how to narrow the query (<paramref name="paging"/>: the dialect's paging clause).</summary>
    public QueryAnswer Finish(Stop stopped, DatabaseProfile profile, string paging)
    {
        var note = stopped switch
        {
            Stop.RowCap => $"Showing the first {RowCount:N0} rows; the query returned more. Narrow it with WHERE, aggregate with GROUP BY, page with {paging}, or raise max_rows (at most {profile.MaxRows:N0} for this database).",
            Stop.ByteBudget => $"Showing the first {RowCount:N0} rows: the next ones did not fit the {profile.MaxBytes:N0}-byte answer budget. Select fewer or narrower columns (e.g. left(col, 100)), or page with {paging}.",
            _ => null,
        };

        // The closing text is outside the budget: the caller keeps room for it.
        if (_format == Json)
        {
            WriteUtf16("],\"rowCount\":" + RowCount.ToString(CultureInfo.InvariantCulture) +
                (note is null ? "" : ",\"truncated\":true,\"note\":" + Quote(note)) + "}");
        }
        else if (note is not null)
        {
            WriteUtf16($"\n[{note}]\n");
        }

        return new QueryAnswer(ToStringAndRelease(), RowCount, note is not null, Columns, note);
    }

    internal static string Quote(string text) => JsonSerializer.Serialize(text, DatabaseJsonContext.Relaxed.String);

    private string ToStringAndRelease()
    {
        Close();
        var chars = 0;
        for (var i = 0; i < _segments.Count; i++)
        {
            // Every segment holds whole UTF-8 sequences (the encoder never splits one), so each decodes on its own.
            chars += Encoding.UTF8.GetCharCount(_segments[i].AsSpan(0, _lengths[i]));
        }

        var text = string.Create(chars, this, static (destination, self) =>
        {
            for (var i = 0; i < self._segments.Count; i++)
            {
                destination = destination[Encoding.UTF8.GetChars(self._segments[i].AsSpan(0, self._lengths[i]), destination)..];
            }
        });
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        _lengths.Clear();
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = [];
        return text;
    }
}
