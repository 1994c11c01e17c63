using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
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
    /// <summary>Largest bytea shown, in bytes; longer values are cut and say so.</summary>
    public const int MaxBinaryBytes = 1024;

    // Beyond ±(2^53 - 1) a JSON number loses digits in JavaScript and many other clients.
    private const long MaxSafeInteger = 9_007_199_254_740_991;

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
                    return FromValue(await reader.GetFieldValueAsync<object>(ordinal, cancellationToken));
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
        var buffer = new char[8 * 1024];
        var value = new StringBuilder();
        int read;
        while (value.Length <= maxChars && (read = await text.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars + 1 - value.Length)), cancellationToken)) > 0)
        {
            value.Append(buffer, 0, read);
        }

        // The rest is skipped, not read into memory: the value could not be shown whole anyway.
        return value.Length > maxChars
            ? (value.ToString(0, maxChars) + $"… [cut: longer than {maxChars:N0} characters]", true)
            : (value.ToString(), false);
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
        var shown = new byte[Math.Min(length, MaxBinaryBytes)];
        await stream.ReadExactlyAsync(shown, cancellationToken);
        return length <= MaxBinaryBytes
            ? Cell.Plain(Convert.ToBase64String(shown))
            : Cell.Json($"{{\"base64\":\"{Convert.ToBase64String(shown)}\",\"bytes\":{length},\"truncated\":true}}");
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

        return DecimalCell(text.ToString());
    }

    /// <summary>
    /// A JSON number when a double holds it: integers within ±(2^53 − 1), fractions of at most 15 significant digits.
    /// Anything else keeps its exact text as a string, so no client silently rounds it.
    /// </summary>
    private static Cell DecimalCell(string exact)
    {
        var unsigned = exact.TrimStart('-');
        var point = unsigned.IndexOf('.', StringComparison.Ordinal);
        var integerPart = (point < 0 ? unsigned : unsigned[..point]).TrimStart('0');
        var fraction = point < 0 ? "" : unsigned[(point + 1)..].TrimEnd('0');
        var safe = fraction.Length == 0
            ? integerPart.Length < 16 || (integerPart.Length == 16 && long.Parse(integerPart, CultureInfo.InvariantCulture) <= MaxSafeInteger)
            : (integerPart + fraction).TrimStart('0').Length <= 15;
        return safe ? Cell.Json(exact) : Cell.Plain(exact);
    }

    private static Cell FromValue(object? value) => value switch
    {
        null or DBNull => Cell.Null,
        bool b => Cell.Json(b ? "true" : "false"),
        short or int or byte or sbyte or ushort or uint => Cell.Json(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        long l => l is >= -MaxSafeInteger and <= MaxSafeInteger ? Cell.Json(l.ToString(CultureInfo.InvariantCulture)) : Cell.Plain(l.ToString(CultureInfo.InvariantCulture)),
        decimal d => DecimalCell(d.ToString(CultureInfo.InvariantCulture)),
        BigInteger i => Cell.Plain(i.ToString(CultureInfo.InvariantCulture)),
        double f => double.IsFinite(f) ? Cell.Json(f.ToString("R", CultureInfo.InvariantCulture)) : Cell.Plain(f.ToString(CultureInfo.InvariantCulture)),
        float f => float.IsFinite(f) ? Cell.Json(f.ToString("R", CultureInfo.InvariantCulture)) : Cell.Plain(f.ToString(CultureInfo.InvariantCulture)),
        string s => Cell.Plain(s),
        DateTime t => Cell.Plain(t.Kind == DateTimeKind.Utc
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)),
        DateTimeOffset o => Cell.Plain(o.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture)),
        DateOnly d => Cell.Plain(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => Cell.Plain(t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)),
        TimeSpan s => Cell.Plain(s.ToString("c", CultureInfo.InvariantCulture)),
        Guid g => Cell.Plain(g.ToString()),
        byte[] bytes => Cell.Plain(Convert.ToBase64String(bytes, 0, Math.Min(bytes.Length, MaxBinaryBytes))),
        BitArray bits => Cell.Plain(string.Concat(bits.Cast<bool>().Select(bit => bit ? '1' : '0'))),
        Array array => Cell.Json(ArrayJson(array)),
        _ => Cell.Plain(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string ArrayJson(Array array)
    {
        // Multi-dimensional arrays nest like PostgreSQL's own text form: one JSON array per dimension.
        var json = new StringBuilder();
        var indices = new int[array.Rank];
        Append(json, array, 0, indices);
        return json.ToString();
    }

    private static void Append(StringBuilder json, Array array, int dimension, int[] indices)
    {
        json.Append('[');
        var lower = array.GetLowerBound(dimension);
        for (var i = lower; i <= array.GetUpperBound(dimension); i++)
        {
            if (i > lower)
            {
                json.Append(',');
            }

            indices[dimension] = i;
            if (dimension + 1 < array.Rank)
            {
                Append(json, array, dimension + 1, indices);
                continue;
            }

            var cell = FromValue(array.GetValue(indices));
            json.Append(cell.Text is null ? "null" : cell.Raw ? cell.Text : JsonSerializer.Serialize(cell.Text));
        }

        json.Append(']');
    }
}
