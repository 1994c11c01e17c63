using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Connectors.Database.Postgres;

/// <summary>
/// Turns PostgreSQL values into cells whose exact value survives JSON: integers and numerics beyond ±(2^53−1) become
/// strings, timestamps ISO 8601, json/jsonb and arrays stay JSON, bytea becomes base64 (capped). Rows are read with
/// sequential access, and text and bytea are read only as far as could ever be shown, so one huge value never sits in
/// memory whole. A value the driver cannot convert is named rather than failing the whole query.
/// </summary>
internal static class PostgresValues
{
    public static async ValueTask<Cell> ReadAsync(NpgsqlDataReader reader, int ordinal, string typeName, int maxChars, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken))
        {
            return Cell.Null;
        }

        // Type names carry modifiers ("numeric(12, 2)", "character varying(20)"); the base name decides.
        var paren = typeName.IndexOf('(', StringComparison.Ordinal);
        var baseName = paren < 0 ? typeName : typeName[..paren];
        try
        {
            switch (baseName)
            {
                case "numeric":
                    return Numeric(await ReadAllAsync(reader, ordinal, cancellationToken));
                case "bytea":
                    return await BinaryAsync(reader, ordinal, cancellationToken);
                case "json" or "jsonb":
                    var (json, jsonCut) = await ReadTextAsync(reader, ordinal, maxChars, cancellationToken);
                    return jsonCut ? Cell.Plain(json) : Cell.Json(json);
                case "text" or "character varying" or "character" or "name" or "xml" or "citext":
                    return Cell.Plain((await ReadTextAsync(reader, ordinal, maxChars, cancellationToken)).Text);
                default:
                    return CellValues.FromValue(await reader.GetFieldValueAsync<object>(ordinal, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or OverflowException)
        {
            return Cell.Plain($"({typeName} value not shown; cast it to text in the query)");
        }
    }

    private static async Task<(string Text, bool Cut)> ReadTextAsync(NpgsqlDataReader reader, int ordinal, int maxChars, CancellationToken cancellationToken)
    {
        // The value's length on the wire is known before it is read: ordinary values are read whole, huge ones in part.
        if (reader.GetBytes(ordinal, 0, null, 0, 0) <= maxChars)
        {
            return (await reader.GetFieldValueAsync<string>(ordinal, cancellationToken), false);
        }

        using var text = await reader.GetTextReaderAsync(ordinal, cancellationToken);
        return await CellValues.ReadCappedAsync(text, maxChars, cancellationToken);
    }

    private static async Task<byte[]> ReadAllAsync(NpgsqlDataReader reader, int ordinal, CancellationToken cancellationToken)
    {
        var raw = new byte[reader.GetBytes(ordinal, 0, null, 0, 0)];
        await using var stream = await reader.GetStreamAsync(ordinal, cancellationToken);
        await stream.ReadExactlyAsync(raw, cancellationToken);
        return raw;
    }

    private static async Task<Cell> BinaryAsync(NpgsqlDataReader reader, int ordinal, CancellationToken cancellationToken)
    {
        var length = reader.GetBytes(ordinal, 0, null, 0, 0);
        await using var stream = await reader.GetStreamAsync(ordinal, cancellationToken);
        var shown = new byte[Math.Min(length, CellValues.MaxBinaryBytes)];
        await stream.ReadExactlyAsync(shown, cancellationToken);
        return CellValues.Binary(shown, length);
    }

    /// <summary>
    /// PostgreSQL's binary numeric (digit count, weight, sign, display scale, base-10000 digits) as its exact decimal text,
    /// whatever its size: no rounding through decimal or double.
    /// </summary>
    internal static Cell Numeric(byte[] raw)
    {
        var span = raw.AsSpan();
        var digitCount = BinaryPrimitives.ReadInt16BigEndian(span);
        var weight = BinaryPrimitives.ReadInt16BigEndian(span[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(span[6..]);
        switch (sign)
        {
            case 0xC000:
                return Cell.Plain("NaN");
            case 0xD000:
                return Cell.Plain("Infinity");
            case 0xF000:
                return Cell.Plain("-Infinity");
        }

        int Digit(int index) => index >= 0 && index < digitCount ? BinaryPrimitives.ReadInt16BigEndian(raw.AsSpan(8 + (2 * index))) : 0;

        var text = new StringBuilder();
        if (sign == 0x4000)
        {
            text.Append('-');
        }

        if (weight < 0)
        {
            text.Append('0');
        }
        else
        {
            text.Append(Digit(0).ToString(CultureInfo.InvariantCulture));
            for (var i = 1; i <= weight; i++)
            {
                text.Append(Digit(i).ToString("D4", CultureInfo.InvariantCulture));
            }
        }

        if (scale > 0)
        {
            text.Append('.');
            var fraction = new StringBuilder();
            for (var i = weight + 1; fraction.Length < scale; i++)
            {
                fraction.Append(Digit(i).ToString("D4", CultureInfo.InvariantCulture));
            }

            text.Append(fraction.ToString(0, scale));
        }

        return CellValues.DecimalCell(text.ToString());
    }
}
