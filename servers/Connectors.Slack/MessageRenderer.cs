using System.Globalization;
using System.Text;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;
using Connectors.Slack.Tools;

namespace Connectors.Slack;

/// <summary>
/// Messages as a person reads them: author by name (bots marked), ISO 8601 time plus Slack's ts for follow-ups, mentions
/// and links made readable, threads with reply counts, files and attachments summarized. Every string from Slack goes
/// through the untrusted-text sanitizer, counted in the tally.
/// </summary>
internal sealed class MessageRenderer(SlackDirectory directory)
{
    private const int MaxAttachmentText = 500;

    /// <summary>Names of every person and channel the messages name: cached, else fetched within a bounded, never-waiting budget.</summary>
    public async Task<NameBook> ResolveAsync(IEnumerable<(string? User, string? Text)> messages, CancellationToken cancellationToken)
    {
        var users = new HashSet<string>(StringComparer.Ordinal);
        var channels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (user, text) in messages)
        {
            if (user is not null && SlackIds.IsUserId(user))
            {
                users.Add(user);
            }

            var (mentionedUsers, mentionedChannels) = SlackMarkup.Mentions(text ?? "");
            users.UnionWith(mentionedUsers);
            channels.UnionWith(mentionedChannels);
        }

        return await directory.NamesAsync(users, channels, cancellationToken);
    }

    /// <summary>One message as a block of lines (first line: time, ts, author, text), and as the structured answers carry it.</summary>
    public static (string Text, MessageItem Item) Render(SlackMessage message, NameBook names, SanitizationTally tally, string? channelId, bool showThread = true)
    {
        var text = new StringBuilder();
        var time = SlackIds.IsoTime(message.Ts);
        text.Append(CultureInfo.InvariantCulture, $"[{time} ts={message.Ts}] ");
        var (author, bot) = Author(message, names, tally);
        text.Append('@').Append(author).Append(bot ? " [bot]" : "");
        string? shownSubtype = null;
        if (message.Subtype is { Length: > 0 } subtype && subtype != "bot_message" && subtype != "thread_broadcast")
        {
            shownSubtype = SlackErrors.SafeName(subtype);
            text.Append(CultureInfo.InvariantCulture, $" [{shownSubtype}]");
        }

        text.Append(": ");
        var readable = Readable(message.Text, names, tally);
        text.Append(Indent(readable));
        if (message.Edited is not null)
        {
            text.Append(" (edited)");
        }

        text.Append('\n');
        if (showThread && message.ReplyCount is > 0 && message.ThreadTs == message.Ts)
        {
            text.Append(CultureInfo.InvariantCulture, $"  thread: {message.ReplyCount} {(message.ReplyCount == 1 ? "reply" : "replies")}");
            if (message.LatestReply is { } latest)
            {
                text.Append(CultureInfo.InvariantCulture, $", latest {SlackIds.IsoTime(latest)}");
            }

            text.Append(CultureInfo.InvariantCulture, $" (get_thread_replies channel={channelId} ts={message.Ts})\n");
        }

        var files = new List<FileItem>();
        foreach (var file in message.Files ?? [])
        {
            files.Add(new FileItem(tally.Clean(file.Name ?? file.Title ?? "unnamed"), tally.Clean(file.Filetype ?? "unknown type"), file.Size));
            text.Append(CultureInfo.InvariantCulture, $"  file: {files[^1].Name} ({files[^1].Type}, {Size(file.Size)})\n");
        }

        var attachments = new List<AttachmentItem>();
        foreach (var attachment in message.Attachments ?? [])
        {
            var title = tally.Clean(attachment.Title ?? attachment.ServiceName ?? "");
            var body = Readable(attachment.Text ?? attachment.Fallback, names, tally);
            if (body.Length > MaxAttachmentText)
            {
                body = body[..MaxAttachmentText] + "…";
            }

            var link = (attachment.TitleLink ?? attachment.FromUrl) is { } raw ? tally.Clean(raw) : null;
            attachments.Add(new AttachmentItem(title, body, link));
            text.Append("  attachment: ").Append(title);
            text.Append(title.Length > 0 && body.Length > 0 ? " — " : "").Append(Indent(body));
            text.Append(link is null ? "" : $" ({link})").Append('\n');
        }

        var reactions = (message.Reactions ?? []).Select(r => new ReactionItem(tally.Clean(r.Name), r.Count)).ToList();
        if (reactions.Count > 0)
        {
            text.Append("  reactions: ").AppendJoin(", ", reactions.Select(r => $":{r.Name}: {r.Count}")).Append('\n');
        }

        var item = new MessageItem(message.Ts, time, message.User, author, bot, shownSubtype, readable, message.Edited is not null, message.ThreadTs, message.ReplyCount,
            files, attachments, reactions);
        return (text.ToString(), item);
    }

    public static string Readable(string? raw, NameBook names, SanitizationTally tally) =>
        SlackMarkup.ToReadable(
            tally.Clean(raw),
            id => names.Users.TryGetValue(id, out var name) ? tally.Clean(name) : null,
            id => names.Channels.TryGetValue(id, out var name) ? tally.Clean(name) : null);

    private static (string Name, bool Bot) Author(SlackMessage message, NameBook names, SanitizationTally tally)
    {
        if (message.User is { } user && names.Users.TryGetValue(user, out var name))
        {
            return (tally.Clean(name), message.BotId is not null);
        }

        if (message.BotId is not null || message.Subtype == "bot_message")
        {
            return (tally.Clean(message.BotProfile?.Name ?? message.Username ?? message.BotId ?? "bot"), true);
        }

        return message.User is { } id ? (tally.Clean(message.Username ?? id), false) : ("unknown", false);
    }

    private static string Indent(string text) => text.Replace("\n", "\n    ", StringComparison.Ordinal);

    private static string Size(long? bytes) => bytes switch
    {
        null => "size unknown",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes.Value / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes.Value / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
    };
}

/// <summary>Names of the people and channels one result mentions.</summary>
internal sealed class NameBook
{
    public Dictionary<string, string> Users { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Channels { get; } = new(StringComparer.Ordinal);

    /// <summary>IDs that could not be named within this answer's budget (shown raw).</summary>
    public int Unresolved { get; set; }

    /// <summary>One line for the answer when some names are still IDs.</summary>
    public string? Notice => Unresolved == 0
        ? null
        : $"some names not resolved yet ({Unresolved} shown as raw IDs such as @U0123ABCD); they will be on the next call";
}
