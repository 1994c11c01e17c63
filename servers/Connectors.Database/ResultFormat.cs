using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Connectors.Database;

/// <summary>One cell as shown: <see cref="Text"/> null for SQL NULL; <see cref="Raw"/> when the text is already JSON (numbers, booleans, json, arrays).</summary>
public readonly record struct Cell(string? Text, bool Raw)
{
    public static readonly Cell Null = new(null, false);

    public static Cell Plain(string text) => new(text, false);

    public static Cell Json(string json) => new(json, true);
}

/// <summary>What a query answered: the text to return, and how many rows it holds.</summary>
/// <param name="Text">The result in the requested format, within the byte budget.</param>
/// <param name="Rows">Rows included.</param>
/// <param name="Truncated">Whether rows were left out (row cap or byte budget).</param>
public sealed record QueryAnswer(string Text, int Rows, bool Truncated);

/// <summary>Why reading rows stopped.</summary>
public enum Stop
{
    End,
    RowCap,
    ByteBudget,
}

/// <summary>A result column: its name and the engine's type name.</summary>
public readonly record struct ResultColumn(string Name, string Type);

/// <summary>
/// Builds one result text in the requested format, row by row, within a byte budget: a row that would not fit is not
/// added, so the caller stops reading and says how to narrow the query.
/// </summary>
public sealed class ResultBuilder
{
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _format;
    private readonly int _maxBytes;
    private readonly StringBuilder _rows = new();
    private readonly StringBuilder _row = new();
    private string _head = "";
    private int _bytes;

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

    public void SetColumns(IReadOnlyList<ResultColumn> columns)
    {
        _head = _format switch
        {
            Csv => string.Join(',', columns.Select(c => CsvField(c.Name))) + "\n",
            Markdown => "| " + string.Join(" | ", columns.Select(c => MarkdownField($"{c.Name} ({c.Type})"))) + " |\n|" +
                string.Concat(columns.Select(_ => " --- |")) + "\n",
            _ => "{\"columns\":[" + string.Join(',', columns.Select(c => $"{{\"name\":{Quote(c.Name)},\"type\":{Quote(c.Type)}}}")) + "],\"rows\":[",
        };
        _bytes = Encoding.UTF8.GetByteCount(_head);
    }

    /// <summary>Adds a row when it fits the budget; false (and nothing added) when it does not.</summary>
    public bool TryAdd(IReadOnlyList<Cell> cells)
    {
        _row.Clear();
        switch (_format)
        {
            case Csv:
                _row.AppendJoin(',', cells.Select(c => c.Text is null ? "" : CsvField(c.Text))).Append('\n');
                break;
            case Markdown:
                _row.Append("| ").AppendJoin(" | ", cells.Select(c => c.Text is null ? "NULL" : MarkdownField(c.Text))).Append(" |\n");
                break;
            default:
                _row.Append(RowCount == 0 ? "[" : ",[");
                for (var i = 0; i < cells.Count; i++)
                {
                    if (i > 0)
                    {
                        _row.Append(',');
                    }

                    var cell = cells[i];
                    if (cell.Text is null)
                    {
                        _row.Append("null");
                    }
                    else if (cell.Raw)
                    {
                        _row.Append(cell.Text);
                    }
                    else
                    {
                        AppendQuoted(_row, cell.Text);
                    }
                }

                _row.Append(']');
                break;
        }

        var size = 0;
        foreach (var chunk in _row.GetChunks())
        {
            size += Encoding.UTF8.GetByteCount(chunk.Span);
        }

        if (_bytes + size > _maxBytes)
        {
            return false;
        }

        _bytes += size;
        _rows.Append(_row);
        RowCount++;
        return true;
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
        return new QueryAnswer(Build(note), RowCount, note is not null);
    }

    /// <summary>The finished text; <paramref name="note"/> (when given) says what was cut and how to narrow the query.</summary>
    public string Build(string? note) => _format switch
    {
        Json => _head + _rows + "],\"rowCount\":" + RowCount.ToString(CultureInfo.InvariantCulture) +
            (note is null ? "" : ",\"truncated\":true,\"note\":" + Quote(note)) + "}",
        _ => _head + _rows + (note is null ? "" : $"\n[{note}]\n"),
    };

    internal static string Quote(string text) => JsonSerializer.Serialize(text, s_json);

    private static void AppendQuoted(StringBuilder builder, string text)
    {
        // Most values need no escaping (no control character, quote or backslash); only the others pay for the serializer.
        if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && text.AsSpan().IndexOfAny('"', '\\') < 0)
        {
            builder.Append('"').Append(text).Append('"');
            return;
        }

        builder.Append(Quote(text));
    }

    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static string MarkdownField(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);
}
