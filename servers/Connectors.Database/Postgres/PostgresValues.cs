using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Connectors.Database.Postgres;

/// <summary>
/// Turns PostgreSQL values into cells whose exact value survives JSON: integers and numerics beyond 2^53 become strings,
/// timestamps ISO 8601, json/jsonb and arrays stay JSON, bytea becomes base64 (capped). A value the driver cannot
/// convert is shown as its type's name rather than failing the whole query.
/// </summary>
internal static class PostgresValues
{
    /// <summary>Largest bytea shown, in bytes; longer values are cut and say so.</summary>
    public const int MaxBinaryBytes = 1024;

    // Beyond ±(2^53 - 1) a JSON number loses digits in JavaScript and many other clients.
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    public static Cell Read(NpgsqlDataReader reader, int ordinal, string typeName)
    {
        if (reader.IsDBNull(ordinal))
        {
            return Cell.Null;
        }

        try
        {
            return typeName switch
            {
                "json" or "jsonb" => Cell.Json(reader.GetString(ordinal)),
                "numeric" => Numeric(reader, ordinal),
                "bytea" => Binary(reader.GetFieldValue<byte[]>(ordinal)),
                _ => FromValue(reader.GetValue(ordinal)),
            };
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or OverflowException or ArgumentException)
        {
            return Fallback(reader, ordinal, typeName);
        }
    }

    private static Cell Fallback(NpgsqlDataReader reader, int ordinal, string typeName)
    {
        try
        {
            return Cell.Plain(reader.GetFieldValue<string>(ordinal));
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException)
        {
            return Cell.Plain($"({typeName} value not shown; cast it to text in the query)");
        }
    }

    private static Cell Numeric(NpgsqlDataReader reader, int ordinal)
    {
        try
        {
            var value = reader.GetDecimal(ordinal);
            var text = value.ToString(CultureInfo.InvariantCulture);
            return Math.Abs(value) <= MaxSafeInteger ? Cell.Json(text) : Cell.Plain(text);
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException)
        {
            try
            {
                return Cell.Plain(reader.GetFieldValue<BigInteger>(ordinal).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception inner) when (inner is OverflowException or InvalidCastException)
            {
                // NaN and ±Infinity, or more than decimal's 28 digits with a fraction.
                return Cell.Plain(reader.GetDouble(ordinal).ToString("R", CultureInfo.InvariantCulture));
            }
        }
    }

    private static Cell Binary(byte[] bytes)
    {
        if (bytes.Length <= MaxBinaryBytes)
        {
            return Cell.Plain(Convert.ToBase64String(bytes));
        }

        return Cell.Json($"{{\"base64\":\"{Convert.ToBase64String(bytes, 0, MaxBinaryBytes)}\",\"bytes\":{bytes.Length},\"truncated\":true}}");
    }

    private static Cell FromValue(object? value) => value switch
    {
        null or DBNull => Cell.Null,
        bool b => Cell.Json(b ? "true" : "false"),
        short or int or byte or sbyte or ushort or uint => Cell.Json(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        long l => l is >= -MaxSafeInteger and <= MaxSafeInteger ? Cell.Json(l.ToString(CultureInfo.InvariantCulture)) : Cell.Plain(l.ToString(CultureInfo.InvariantCulture)),
        decimal d => Math.Abs(d) <= MaxSafeInteger ? Cell.Json(d.ToString(CultureInfo.InvariantCulture)) : Cell.Plain(d.ToString(CultureInfo.InvariantCulture)),
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
        byte[] bytes => Binary(bytes),
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
