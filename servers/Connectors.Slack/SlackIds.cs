namespace Connectors.Slack;

/// <summary>Shapes of Slack identifiers, checked before they reach a URL or a message.</summary>
internal static class SlackIds
{
    /// <summary>A conversation ID: C (public), G (private, legacy) or D (direct message), then upper-case letters and digits.</summary>
    public static bool IsConversationId(string value) =>
        value.Length is >= 9 and <= 24 && value[0] is 'C' or 'G' or 'D' && value.Skip(1).All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    /// <summary>A user ID: U or W, then upper-case letters and digits.</summary>
    public static bool IsUserId(string value) =>
        value.Length is >= 9 and <= 24 && value[0] is 'U' or 'W' && value.Skip(1).All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    /// <summary>A message timestamp such as 1712345678.123456.</summary>
    public static bool IsTimestamp(string value)
    {
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot is > 0 and <= 12 && value.Length - dot - 1 is > 0 and <= 6 &&
            value.AsSpan(0, dot).ContainsAnyExceptInRange('0', '9') is false &&
            value.AsSpan(dot + 1).ContainsAnyExceptInRange('0', '9') is false;
    }

    /// <summary>ISO 8601 (UTC) of a Slack ts, for people; the ts itself stays the key for follow-up calls.</summary>
    public static string IsoTime(string? ts)
    {
        if (ts is null || !decimal.TryParse(ts, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return "unknown time";
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Timestamp(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000m).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
}
