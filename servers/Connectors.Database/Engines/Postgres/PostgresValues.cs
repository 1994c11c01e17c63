using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Npgsql;

namespace Connectors.Database.Postgres;

/// <summary>
/// Turns PostgreSQL values into cells whose exact value survives JSON: integers and numerics beyond ±(2^53−1) become
/// strings, timestamps ISO 8601, json/jsonb and arrays stay JSON, bytea becomes base64 (capped). Rows are read with
/// sequential access, and text and bytea are read only as far as could ever be shown, so one huge value never sits in
/// memory whole. Common types are read typed and written straight into the answer as UTF-8, without a string or a boxed
/// value per cell. A value the driver cannot convert is named rather than failing the whole query.
/// </summary>
internal static class PostgresValues
{
    public static ValueTask WriteAsync(NpgsqlDataReader reader, int ordinal, string typeName, ResultBuilder result, CancellationToken cancellationToken)
    {
        // Values are read synchronously: a FETCH's rows arrive together, so a cell is nearly always in Npgsql's read buffer
        // already (one that straddles the buffer's end is read from the socket in place), and an awaited Task per cell
        // cost more than formatting it. Values longer than could be shown, and rarer types, are read asynchronously.
        if (reader.IsDBNull(ordinal))
        {
            result.WriteNull();
            return default;
        }

        // Type names carry modifiers ("numeric(12, 2)", "character varying(20)"); the base name decides.
        var paren = typeName.IndexOf('(', StringComparison.Ordinal);
        var baseName = paren < 0 ? typeName.AsSpan() : typeName.AsSpan(0, paren);
        try
        {
            switch (baseName)
            {
                case "integer":
                    WriteNumber(result, reader.GetInt32(ordinal), null);
                    return default;
                case "smallint":
                    WriteNumber(result, reader.GetInt16(ordinal), null);
                    return default;
                case "bigint":
                    var big = reader.GetInt64(ordinal);
                    WriteNumber(result, big, null, quoted: big is < -CellValues.MaxSafeInteger or > CellValues.MaxSafeInteger);
                    return default;
                case "boolean":
                    result.WriteToken(reader.GetBoolean(ordinal) ? "true"u8 : "false"u8, quoted: false);
                    return default;
                case "double precision":
                    var wide = reader.GetDouble(ordinal);
                    WriteNumber(result, wide, double.IsFinite(wide) ? "R" : null, quoted: !double.IsFinite(wide));
                    return default;
                case "real":
                    var narrow = reader.GetFloat(ordinal);
                    WriteNumber(result, narrow, float.IsFinite(narrow) ? "R" : null, quoted: !float.IsFinite(narrow));
                    return default;
                case "numeric":
                    WriteNumeric(reader, ordinal, result);
                    return default;
                case "date":
                    WriteDate(result, reader.GetFieldValue<DateOnly>(ordinal).ToDateTime(TimeOnly.MinValue), withTime: false, utc: false);
                    return default;
                case "timestamp without time zone":
                    WriteDate(result, reader.GetDateTime(ordinal), withTime: true, utc: false);
                    return default;
                case "timestamp with time zone":
                    var instant = reader.GetDateTime(ordinal);
                    WriteDate(result, instant, withTime: true, utc: instant.Kind == DateTimeKind.Utc);
                    return default;
                case "uuid":
                    WriteNumber(result, reader.GetGuid(ordinal), null, quoted: true);
                    return default;
                case "text" or "character varying" or "character" or "name" or "xml" or "citext":
                    var length = reader.GetBytes(ordinal, 0, null, 0, 0);
                    if (length <= result.MaxBytes)
                    {
                        WriteUtf8Text(reader, ordinal, (int)length, result);
                        return default;
                    }

                    return WriteSlowlyAsync(reader, ordinal, typeName, baseName.ToString(), result, cancellationToken);
                default:
                    return WriteSlowlyAsync(reader, ordinal, typeName, baseName.ToString(), result, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or OverflowException)
        {
            NotShown(typeName, result);
            return default;
        }
    }

    /// <summary>Types read less often (bytea, json, arrays, intervals…) and text longer than could be shown.</summary>
    private static async ValueTask WriteSlowlyAsync(
        NpgsqlDataReader reader, int ordinal, string typeName, string baseName, ResultBuilder result, CancellationToken cancellationToken)
    {
        try
        {
            switch (baseName)
            {
                case "bytea":
                    result.WriteCell(await BinaryAsync(reader, ordinal, cancellationToken));
                    return;
                case "json" or "jsonb":
                    var (json, jsonCut) = await ReadTextAsync(reader, ordinal, result.MaxBytes, cancellationToken);
                    if (jsonCut)
                    {
                        result.WriteText(json);
                    }
                    else
                    {
                        result.WriteJson(json);
                    }

                    return;
                case "text" or "character varying" or "character" or "name" or "xml" or "citext":
                    result.WriteText((await ReadTextAsync(reader, ordinal, result.MaxBytes, cancellationToken)).Text);
                    return;
                default:
                    result.WriteCell(CellValues.FromValue(await reader.GetFieldValueAsync<object>(ordinal, cancellationToken)));
                    return;
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or OverflowException)
        {
            NotShown(typeName, result);
        }
    }

    private static void NotShown(string typeName, ResultBuilder result) =>
        result.WriteText($"({typeName} value not shown; cast it to text in the query)");

    /// <summary>Text as PostgreSQL sent it (UTF-8), copied into the answer without a string in between.</summary>
    private static void WriteUtf8Text(NpgsqlDataReader reader, int ordinal, int length, ResultBuilder result)
    {
        var bytes = result.Scratch(length);
        var read = length == 0 ? 0 : (int)reader.GetBytes(ordinal, 0, bytes, 0, length);
        result.WriteTextUtf8(bytes.AsSpan(0, read));
    }

    /// <summary>
    /// ISO 8601 as <c>yyyy-MM-dd</c>, or <c>yyyy-MM-dd'T'HH:mm:ss.FFFFFF</c> (fraction without trailing zeros, none when
    /// whole) and a <c>Z</c> for UTC: written digit by digit, as a custom format string is parsed again for every value.
    /// </summary>
    internal static void WriteDate(ResultBuilder result, DateTime value, bool withTime, bool utc)
    {
        Span<byte> text = stackalloc byte[32];
        var (year, month, day) = value;
        var at = Digits(year, 4, text);
        text[at++] = (byte)'-';
        at += Digits(month, 2, text[at..]);
        text[at++] = (byte)'-';
        at += Digits(day, 2, text[at..]);
        if (withTime)
        {
            var time = value.Ticks % TimeSpan.TicksPerDay;
            text[at++] = (byte)'T';
            at += Digits((int)(time / TimeSpan.TicksPerHour), 2, text[at..]);
            text[at++] = (byte)':';
            at += Digits((int)(time / TimeSpan.TicksPerMinute % 60), 2, text[at..]);
            text[at++] = (byte)':';
            at += Digits((int)(time / TimeSpan.TicksPerSecond % 60), 2, text[at..]);
            var microseconds = (int)(time % TimeSpan.TicksPerSecond / 10);
            if (microseconds > 0)
            {
                text[at++] = (byte)'.';
                at += Digits(microseconds, 6, text[at..]);
                while (text[at - 1] == (byte)'0')
                {
                    at--;
                }
            }

            if (utc)
            {
                text[at++] = (byte)'Z';
            }
        }

        result.WriteToken(text[..at], quoted: true);
    }

    /// <summary><paramref name="value"/> (not negative) as exactly <paramref name="count"/> digits, zero-padded.</summary>
    private static int Digits(int value, int count, Span<byte> destination)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return count;
    }

    /// <summary>A number, date or uuid formatted as UTF-8 (invariant culture) straight into the answer.</summary>
    private static void WriteNumber<T>(ResultBuilder result, T value, string? format, bool quoted = false)
        where T : IUtf8SpanFormattable
    {
        Span<byte> text = stackalloc byte[64];
        if (!value.TryFormat(text, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A number, date or uuid is longer than 64 bytes as text.");
        }

        result.WriteToken(text[..written], quoted);
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

    private static async Task<Cell> BinaryAsync(NpgsqlDataReader reader, int ordinal, CancellationToken cancellationToken)
    {
        var length = reader.GetBytes(ordinal, 0, null, 0, 0);
        await using var stream = await reader.GetStreamAsync(ordinal, cancellationToken);
        var shown = new byte[Math.Min(length, CellValues.MaxBinaryBytes)];
        await stream.ReadExactlyAsync(shown, cancellationToken);
        return CellValues.Binary(shown, length);
    }

    private static void WriteNumeric(NpgsqlDataReader reader, int ordinal, ResultBuilder result)
    {
        var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
        var raw = result.Scratch(length);
        reader.GetBytes(ordinal, 0, raw, 0, length);
        WriteNumeric(raw.AsSpan(0, length), result);
    }

    /// <summary>
    /// PostgreSQL's binary numeric (digit count, weight, sign, display scale, base-10000 digits) as its exact decimal text,
    /// whatever its size: no rounding through decimal or double.
    /// </summary>
    internal static void WriteNumeric(ReadOnlySpan<byte> raw, ResultBuilder result)
    {
        var digitCount = BinaryPrimitives.ReadInt16BigEndian(raw);
        var weight = BinaryPrimitives.ReadInt16BigEndian(raw[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(raw[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(raw[6..]);
        switch (sign)
        {
            case 0xC000:
                result.WriteToken("NaN"u8, quoted: true);
                return;
            case 0xD000:
                result.WriteToken("Infinity"u8, quoted: true);
                return;
            case 0xF000:
                result.WriteToken("-Infinity"u8, quoted: true);
                return;
        }

        // Sign, integer groups of four digits, point, fraction groups (the last one cut to the scale).
        var capacity = 2 + (4 * Math.Max(weight + 1, 1)) + 1 + scale + 4;
        byte[]? rented = null;
        Span<byte> text = capacity <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        var digits = raw[8..];

        var at = 0;
        if (sign == 0x4000)
        {
            text[at++] = (byte)'-';
        }

        if (weight < 0)
        {
            text[at++] = (byte)'0';
        }
        else
        {
            Digit(digits, digitCount, 0).TryFormat(text[at..], out var written, default, CultureInfo.InvariantCulture);
            at += written;
            for (var i = 1; i <= weight; i++)
            {
                at += Digits(Digit(digits, digitCount, i), 4, text[at..]);
            }
        }

        if (scale > 0)
        {
            text[at++] = (byte)'.';
            var fractionEnd = at + scale;
            for (var i = weight + 1; at < fractionEnd; i++)
            {
                at += Digits(Digit(digits, digitCount, i), 4, text[at..]);
            }

            at = fractionEnd;
        }

        var exact = text[..at];
        result.WriteToken(exact, quoted: !CellValues.DecimalIsJsonNumber(exact));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int Digit(ReadOnlySpan<byte> digits, int count, int index) =>
        index >= 0 && index < count ? BinaryPrimitives.ReadInt16BigEndian(digits[(2 * index)..]) : 0;
}
