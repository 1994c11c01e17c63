using System.Data.Common;

namespace Connectors.Database;

/// <summary>Reads one cell of the current row; <paramref name="maxChars"/> bounds how much of a long value is read.</summary>
internal delegate ValueTask<Cell> CellReader(DbDataReader reader, int ordinal, string type, int maxChars, CancellationToken cancellationToken);

/// <summary>
/// The streaming loop every provider shares: rows go one by one from the reader into the answer, and reading stops at
/// <c>max_rows + 1</c> (the extra row only proves there are more) or at the byte budget, so memory stays flat whatever the
/// result's size. It may be fed several readers in turn (cursor chunks) and keeps counting across them.
/// </summary>
internal sealed class RowStream(ResultBuilder result, int maxRows, CellReader readCell)
{
    private string[]? _types;

    /// <summary>Rows read so far, the probe row included.</summary>
    public int Seen { get; private set; }

    public static List<ResultColumn> Columns(DbDataReader reader)
    {
        var columns = new List<ResultColumn>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            columns.Add(new ResultColumn(reader.GetName(i), reader.GetDataTypeName(i)));
        }

        return columns;
    }

    public async Task<Stop> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        _types ??= [.. Columns(reader).Select(c => c.Type)];
        while (await reader.ReadAsync(cancellationToken))
        {
            if (++Seen > maxRows)
            {
                return Stop.RowCap;
            }

            var cells = new Cell[_types.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = await readCell(reader, i, _types[i], result.MaxBytes, cancellationToken);
            }

            if (!result.TryAdd(cells))
            {
                return Stop.ByteBudget;
            }
        }

        return Stop.End;
    }
}
