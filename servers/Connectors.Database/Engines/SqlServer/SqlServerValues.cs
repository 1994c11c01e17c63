using System.Globalization;
using Microsoft.Data.SqlClient;

namespace Connectors.Database.SqlServer;

/// <summary>
/// SQL Server values as cells, through the shared mapping (<see cref="CellValues"/>): decimal and numeric exact at any
/// precision (SqlDecimal's own text), date without a time, time and datetimeoffset ISO 8601, binary capped base64, and
/// text read only as far as could be shown (rows are read with sequential access). Values SqlClient cannot convert
/// (CLR types such as geography without their assembly) are named instead of failing the query.
/// </summary>
internal static class SqlServerValues
{
    public static async ValueTask<Cell> ReadAsync(SqlDataReader reader, int ordinal, string typeName, int maxChars, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken))
        {
            return Cell.Null;
        }

        try
        {
            switch (typeName.ToLowerInvariant())
            {
                case "decimal" or "numeric":
                    return CellValues.DecimalCell(reader.GetSqlDecimal(ordinal).ToString());
                case "varbinary" or "binary" or "image" or "timestamp" or "rowversion":
                    return await BinaryAsync(reader, ordinal, cancellationToken);
                case "nvarchar" or "varchar" or "nchar" or "char" or "ntext" or "text" or "sysname":
                    using (var text = reader.GetTextReader(ordinal))
                    {
                        return Cell.Plain((await CellValues.ReadCappedAsync(text, maxChars, cancellationToken)).Text);
                    }

                case "date":
                    return Cell.Plain(reader.GetDateTime(ordinal).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                case "time":
                    return Cell.Plain(reader.GetTimeSpan(ordinal).ToString("hh\\:mm\\:ss\\.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'));
                default:
                    return CellValues.FromValue(await reader.GetFieldValueAsync<object>(ordinal, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or OverflowException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            return Cell.Plain($"({typeName} value not shown; convert it in the query, e.g. CONVERT(nvarchar(max), col) or col.ToString())");
        }
    }

    private static async Task<Cell> BinaryAsync(SqlDataReader reader, int ordinal, CancellationToken cancellationToken)
    {
        // The length is not known before reading; the rest is counted through a small buffer, never held.
        await using var stream = reader.GetStream(ordinal);
        var shown = new byte[CellValues.MaxBinaryBytes];
        var kept = 0;
        int read;
        while (kept < shown.Length && (read = await stream.ReadAsync(shown.AsMemory(kept), cancellationToken)) > 0)
        {
            kept += read;
        }

        long total = kept;
        var rest = new byte[8 * 1024];
        while ((read = await stream.ReadAsync(rest, cancellationToken)) > 0)
        {
            total += read;
        }

        return CellValues.Binary(shown[..kept], total);
    }
}
