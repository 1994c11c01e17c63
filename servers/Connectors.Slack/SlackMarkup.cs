using System.Text;
using System.Text.RegularExpressions;

namespace Connectors.Slack;

/// <summary>
/// Slack's message markup made readable: <c>&lt;@U123&gt;</c> → <c>@name</c>, <c>&lt;#C123|name&gt;</c> → <c>#name</c>,
/// <c>&lt;url|label&gt;</c> → <c>label (url)</c>, <c>&lt;!here&gt;</c> → <c>@here</c>, entities unescaped and mrkdwn
/// emphasis (<c>*bold*</c>, <c>_italic_</c>, <c>~strike~</c>) flattened outside code.
/// </summary>
internal static partial class SlackMarkup
{
    /// <summary>The user IDs and channel IDs the text mentions, to resolve before <see cref="ToReadable"/>.</summary>
    public static (IEnumerable<string> Users, IEnumerable<string> Channels) Mentions(string text)
    {
        var users = new List<string>();
        var channels = new List<string>();
        foreach (Match match in Entity().Matches(text))
        {
            var inner = match.Groups[1].Value;
            var id = inner.Split('|')[0];
            if (id.StartsWith('@') && SlackIds.IsUserId(id[1..]))
            {
                users.Add(id[1..]);
            }
            else if (id.StartsWith('#') && SlackIds.IsConversationId(id[1..]) && !inner.Contains('|', StringComparison.Ordinal))
            {
                channels.Add(id[1..]);
            }
        }

        return (users, channels);
    }

    public static string ToReadable(string text, Func<string, string?> userName, Func<string, string?> channelName)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var linked = text.Contains('<', StringComparison.Ordinal)
            ? Entity().Replace(text, match => Entity(match.Groups[1].Value, userName, channelName))
            : text;
        var unescaped = linked.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
        return FlattenEmphasis(unescaped);
    }

    private static string Entity(string inner, Func<string, string?> userName, Func<string, string?> channelName)
    {
        var bar = inner.IndexOf('|', StringComparison.Ordinal);
        var target = bar < 0 ? inner : inner[..bar];
        var label = bar < 0 ? null : inner[(bar + 1)..];
        switch (target)
        {
            case ['@', ..]:
                return "@" + (userName(target[1..]) ?? label?.TrimStart('@') ?? target[1..]);
            case ['#', ..]:
                return "#" + (label ?? channelName(target[1..]) ?? target[1..]);
            case "!here" or "!channel" or "!everyone":
                return "@" + target[1..];
            case ['!', ..] when target.StartsWith("!subteam^", StringComparison.Ordinal):
                return label is null ? "@group" : (label.StartsWith('@') ? label : "@" + label);
            case ['!', ..]:
                // <!date^…|fallback> and other special commands: the fallback text is what a reader would see.
                return label ?? target[1..];
        }

        var url = target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? target[7..] : target;
        return label is null || label == url || label == target ? url : $"{label} ({url})";
    }

    /// <summary>Removes emphasis markers outside code spans and fenced blocks, where they would be literal.</summary>
    private static string FlattenEmphasis(string text)
    {
        if (text.IndexOfAny(['*', '_', '~']) < 0)
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var last = 0;
        foreach (Match code in Code().Matches(text))
        {
            output.Append(Emphasis().Replace(text[last..code.Index], "$2"));
            output.Append(code.Value);
            last = code.Index + code.Length;
        }

        output.Append(Emphasis().Replace(text[last..], "$2"));
        return output.ToString();
    }

    [GeneratedRegex("<([^<>\n]{1,2000})>")]
    private static partial Regex Entity();

    [GeneratedRegex("```[\\s\\S]*?```|`[^`\n]+`")]
    private static partial Regex Code();

    // A marker opens after a non-word character and closes before one, with no space just inside: *bold*, not 2*3*4.
    [GeneratedRegex(@"(?<![\w*_~])([*_~])(?=\S)([^\n]+?)(?<=\S)\1(?![\w*_~])")]
    private static partial Regex Emphasis();
}
