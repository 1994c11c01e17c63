using System.Data.Common;

namespace Connectors.Database;

/// <summary>
/// Reads one cell of the current row and writes it into the answer; <see cref="ResultBuilder.MaxBytes"/> bounds how much
/// of a long value is read.
/// </summary>
internal delegate ValueTask CellWriter(DbDataReader reader, int ordinal, string type, ResultBuilder result, CancellationToken cancellationToken);

/// <summary>
/// The streaming loop every provider shares: rows go one by one from the reader into the answer, and reading stops at
/// <c>max_rows + 1</c> (the extra row only proves there are more) or at the byte budget, so memory stays flat whatever the
/// result's size. It may be fed several readers in turn (cursor chunks) and keeps counting across them.
/// </summary>
internal sealed class RowStream(ResultBuilder result, int maxRows, CellWriter writeCell)
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
        if (_types is null)
        {
            _types = new string[reader.FieldCount];
            for (var i = 0; i < _types.Length; i++)
            {
                _types[i] = reader.GetDataTypeName(i);
            }
        }

        while (await reader.ReadAsync(cancellationToken))
        {
            if (++Seen > maxRows)
            {
                return Stop.RowCap;
            }

            result.BeginRow();
            for (var i = 0; i < _types.Length && !result.RowOverBudget; i++)
            {
                await writeCell(reader, i, _types[i], result, cancellationToken);
            }

            if (!result.EndRow())
            {
                return Stop.ByteBudget;
            }
        }

        return Stop.End;
    }
}
