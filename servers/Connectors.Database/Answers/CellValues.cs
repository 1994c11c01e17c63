using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Connectors.Database;

/// <summary>
/// The type mapping every provider shares: .NET values as cells whose exact value survives JSON (integers and decimals
/// beyond ±(2^53−1) as strings, timestamps ISO 8601, arrays as JSON), long text read only as far as could be shown, and
/// binary values as capped base64.
/// </summary>
internal static class CellValues
{
    /// <summary>Largest binary value shown, in bytes; longer values are cut and say so.</summary>
    public const int MaxBinaryBytes = 1024;

    // Beyond ±(2^53 - 1) a JSON number loses digits in JavaScript and many other clients.
    internal const long MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>Reads at most <paramref name="maxChars"/> characters (plus one, to know there are more); the rest is never read into memory.</summary>
    public static async Task<(string Text, bool Cut)> ReadCappedAsync(TextReader text, int maxChars, CancellationToken cancellationToken)
    {
        var buffer = new char[8 * 1024];
        var value = new StringBuilder();
        int read;
        while (value.Length <= maxChars && (read = await text.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, maxChars + 1 - value.Length)), cancellationToken)) > 0)
        {
            value.Append(buffer, 0, read);
        }

        return value.Length > maxChars
            ? (value.ToString(0, maxChars) + $"… [cut: longer than {maxChars:N0} characters]", true)
            : (value.ToString(), false);
    }

    /// <summary>Base64 of the bytes shown; when the value was longer (<paramref name="totalBytes"/>), says so with its size.</summary>
    public static Cell Binary(byte[] shown, long totalBytes) => totalBytes <= shown.Length
        ? Cell.Plain(Convert.ToBase64String(shown))
        : Cell.Json($"{{\"base64\":\"{Convert.ToBase64String(shown)}\",\"bytes\":{totalBytes},\"truncated\":true}}");

    /// <summary>
    /// A JSON number when a double holds it: integers within ±(2^53 − 1), fractions of at most 15 significant digits.
    /// Anything else keeps its exact text as a string, so no client silently rounds it.
    /// </summary>
    public static Cell DecimalCell(string exact)
    {
        Span<byte> ascii = stackalloc byte[exact.Length];
        return DecimalIsJsonNumber(ascii[..Encoding.ASCII.GetBytes(exact, ascii)]) ? Cell.Json(exact) : Cell.Plain(exact);
    }

    /// <summary>Whether a decimal's exact text (ASCII) survives as a JSON number; see <see cref="DecimalCell"/>.</summary>
    public static bool DecimalIsJsonNumber(ReadOnlySpan<byte> exact)
    {
        var unsigned = exact.TrimStart((byte)'-');
        var point = unsigned.IndexOf((byte)'.');
        var integerPart = (point < 0 ? unsigned : unsigned[..point]).TrimStart((byte)'0');
        var fraction = point < 0 ? [] : unsigned[(point + 1)..].TrimEnd((byte)'0');
        if (fraction.Length == 0)
        {
            // Sixteen digits compare as text against the largest safe integer.
            return integerPart.Length < 16 || (integerPart.Length == 16 && integerPart.SequenceCompareTo("9007199254740991"u8) <= 0);
        }

        var significant = integerPart.Length > 0 ? integerPart.Length + fraction.Length : fraction.TrimStart((byte)'0').Length;
        return significant <= 15;
    }

    public static Cell FromValue(object? value) => value switch
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
            json.Append(cell.Text is null ? "null" : cell.Raw ? cell.Text : JsonSerializer.Serialize(cell.Text, DatabaseJsonContext.Default.String));
        }

        json.Append(']');
    }
}
