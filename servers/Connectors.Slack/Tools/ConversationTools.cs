using System.Globalization;
using System.Text;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;

namespace Connectors.Slack.Tools;

/// <summary>Channels, their history and threads. Every handler resolves its channel through <see cref="SlackGuard"/> first.</summary>
[McpServerToolType]
internal sealed class ConversationTools(SlackGuard guard, SlackApiClient slack, SlackDirectory directory, MessageRenderer renderer, OutputBudget budget)
{
    private const string ChannelDescription = "Channel ID (C0123ABCD, G…, D…) or name (#general).";
    private const int PageSize = 200;

    [McpServerTool(Name = "list_channels", Title = "List channels", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(ChannelList))]
    [Description("Lists the channels the Slack app can see: name, ID, public/private, membership, member count, topic. Paged with cursor.")]
    public async Task<CallToolResult> ListChannels(
        [Description("Kinds to list, comma-separated: public, private, im (direct messages), mpim (group DMs). Default: public,private.")] string types = "public,private",
        [Description("Only channels whose name contains this text (filters the page Slack returned).")] string? name_contains = null,
        [Description("Only channels the app (or user) is a member of.")] bool member_only = false,
        [Description("Include archived channels.")] bool include_archived = false,
        [Description("Channels per page, 1 to 1000 (default 200).")] int limit = 200,
        [Description("Cursor from a previous answer, to get the next page.")] string? cursor = null,
        CancellationToken cancellationToken = default)
    {
        var slackTypes = string.Join(',', types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(SlackType).Distinct());
        if (limit is < 1 or > 1000)
        {
            throw ConnectorException.InvalidArgument(nameof(limit), "between 1 and 1000.");
        }

        var list = await slack.CallAsync(
            new SlackCall("conversations.list", SlackDirectory.Args(("types", slackTypes), ("exclude_archived", include_archived ? "false" : "true"), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), slack.Tokens.Default),
            SlackJsonContext.Default.ConversationListResponse, cancellationToken);

        foreach (var channel in list.Channels)
        {
            directory.Remember(channel);
        }

        var people = await directory.NamesAsync(
            list.Channels.Where(c => c.IsIm).Select(c => c.User).OfType<string>().Where(SlackIds.IsUserId).ToHashSet(StringComparer.Ordinal),
            new HashSet<string>(), cancellationToken);
        var tally = new SanitizationTally();
        var page = new PageText(budget);
        var shown = new List<ChannelItem>();
        foreach (var channel in list.Channels)
        {
            if ((member_only && !channel.IsMember && !channel.IsIm) ||
                (name_contains is { Length: > 0 } && channel.Name?.Contains(name_contains, StringComparison.OrdinalIgnoreCase) != true))
            {
                continue;
            }

            var (line, item) = Describe(channel, people, tally);
            if (!page.TryAdd(line))
            {
                break;
            }

            shown.Add(item);
        }

        var more = list.NextCursor is { } next ? $"More channels: call list_channels again with cursor=\"{next}\"." : null;
        var cut = page.Full ? "The answer reached its size budget; use name_contains or a smaller limit." : null;
        return TypedResults.Create(page.Build($"{page.Count} channel(s) ({types}):", tally, cut, more, people.Notice),
            new ChannelList(shown, page.Full, list.NextCursor), SlackResultsJson.Default.ChannelList);
    }

    [McpServerTool(Name = "get_channel_history", Title = "Read channel history", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(MessageList))]
    [Description("Reads a channel's messages, newest first: author, ISO time and ts (for threads and reactions), readable text, files, " +
        "and each thread's reply count. limit is a count (\"50\") or a time window (\"12h\", \"1d\", \"7d\").")]
    public async Task<CallToolResult> GetChannelHistory(
        [Description(ChannelDescription)] string channel,
        [Description("How many messages (\"50\", at most 1000) or how far back (\"30m\", \"12h\", \"1d\", \"7d\", \"2w\"). Default \"20\".")] string? limit = null,
        [Description("Only messages after this: a window (\"1d\"), a ts, or an ISO 8601 time.")] string? oldest = null,
        [Description("Only messages before this ts (to continue past a cut answer).")] string? latest = null,
        [Description("Cursor from a previous answer, to get older messages.")] string? cursor = null,
        CancellationToken cancellationToken = default)
    {
        var target = await guard.ChannelAsync(channel, cancellationToken);
        var wanted = SlackGuard.Limit(limit, 20);
        var oldestTs = guard.Oldest(wanted, oldest);
        var latestTs = latest is null ? null : SlackGuard.Timestamp(nameof(latest), latest);

        var messages = new List<SlackMessage>();
        string? next = cursor;
        do
        {
            var page = await slack.CallAsync(
                new SlackCall("conversations.history", SlackDirectory.Args(
                    ("channel", target.Id), ("limit", Math.Min(PageSize, wanted.Count - messages.Count).ToString(CultureInfo.InvariantCulture)),
                    ("oldest", oldestTs.Length == 0 ? null : oldestTs), ("latest", latestTs), ("cursor", next)), slack.Tokens.Default),
                SlackJsonContext.Default.MessagesResponse, cancellationToken);
            messages.AddRange(page.Messages);
            next = page.HasMore ? page.NextCursor : null;
        }
        while (next is not null && messages.Count < wanted.Count);

        var names = await renderer.ResolveAsync(messages.Select(m => (m.User, m.Text)), cancellationToken);
        var tally = new SanitizationTally();
        var text = new PageText(budget);
        var lastShown = (string?)null;
        var shown = new List<MessageItem>();
        foreach (var message in messages)
        {
            var (entry, item) = MessageRenderer.Render(message, names, tally, target.Id);
            if (!text.TryAdd(entry))
            {
                break;
            }

            shown.Add(item);
            lastShown = message.Ts;
        }

        var window = wanted.Window is null && oldestTs.Length == 0 ? "" : $" since {SlackIds.IsoTime(oldestTs)}";
        var header = $"{SlackGuard.Describe(target)}: {text.Count} message(s){window}, newest first.";
        var continuation = text.Full && lastShown is not null
            ? $"The answer reached its size budget. Older messages: call again with latest=\"{lastShown}\"{(oldest is null && wanted.Window is null ? "" : " and the same oldest")}."
            : next is not null ? $"Older messages: call again with cursor=\"{next}\" (same channel and oldest)." : null;
        var value = new MessageList(target.Id, shown, text.Full, text.Full ? null : next, text.Full ? lastShown : null);
        return TypedResults.Create(text.Build(header, tally, continuation, names.Notice), value, SlackResultsJson.Default.MessageList);
    }

    [McpServerTool(Name = "get_thread_replies", Title = "Read a thread", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(MessageList))]
    [Description("Reads a thread: the parent message, then its replies oldest first, readable as in get_channel_history.")]
    public async Task<CallToolResult> GetThreadReplies(
        [Description(ChannelDescription)] string channel,
        [Description("ts of the thread's parent message (from get_channel_history).")] string ts,
        [Description("Most messages to return, 1 to 1000 (default 100).")] int limit = 100,
        [Description("Cursor from a previous answer, to get later replies.")] string? cursor = null,
        CancellationToken cancellationToken = default)
    {
        var target = await guard.ChannelAsync(channel, cancellationToken);
        var parent = SlackGuard.Timestamp(nameof(ts), ts);
        if (limit is < 1 or > SlackGuard.MaxMessagesPerCall)
        {
            throw ConnectorException.InvalidArgument(nameof(limit), $"between 1 and {SlackGuard.MaxMessagesPerCall}.");
        }

        var replies = await slack.CallAsync(
            new SlackCall("conversations.replies", SlackDirectory.Args(("channel", target.Id), ("ts", parent), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), slack.Tokens.Default),
            SlackJsonContext.Default.MessagesResponse, cancellationToken);

        var names = await renderer.ResolveAsync(replies.Messages.Select(m => (m.User, m.Text)), cancellationToken);
        var tally = new SanitizationTally();
        var text = new PageText(budget);
        var shown = new List<MessageItem>();
        foreach (var message in replies.Messages)
        {
            var (entry, item) = MessageRenderer.Render(message, names, tally, target.Id, showThread: false);
            if (!text.TryAdd(entry))
            {
                break;
            }

            shown.Add(item);
        }

        var replyCount = replies.Messages.FirstOrDefault(m => m.Ts == parent)?.ReplyCount;
        var header = $"Thread {parent} in {SlackGuard.Describe(target)}{(replyCount is null ? "" : $", {replyCount} replies")}: oldest first.";
        var more = replies.HasMore && replies.NextCursor is { } next ? $"Later replies: call again with cursor=\"{next}\"." : null;
        var cut = text.Full ? "The answer reached its size budget; use a smaller limit and the cursor to page." : null;
        var value = new MessageList(target.Id, shown, text.Full, replies.HasMore ? replies.NextCursor : null, null);
        return TypedResults.Create(text.Build(header, tally, cut, more, names.Notice), value, SlackResultsJson.Default.MessageList);
    }

    private static (string Line, ChannelItem Item) Describe(SlackChannel channel, NameBook people, SanitizationTally tally)
    {
        var line = new StringBuilder();
        string? person = null, name = null, topic = null, purpose = null;
        if (channel.IsIm)
        {
            person = channel.User is { } user && people.Users.TryGetValue(user, out var known)
                ? tally.Clean(known)
                : tally.Clean(channel.User ?? "someone");
            line.Append(CultureInfo.InvariantCulture, $"DM with @{person} ({channel.Id})");
        }
        else
        {
            name = tally.Clean(channel.Name);
            line.Append(CultureInfo.InvariantCulture, $"#{name} ({channel.Id}) ");
            line.Append(channel.IsMpim ? "group DM" : channel.IsPrivate ? "private" : "public");
            line.Append(channel.IsMember ? ", member" : ", not a member");
            line.Append(channel.IsArchived ? ", archived" : "");
            line.Append(channel.NumMembers is { } members ? $", {members} members" : "");
            if (channel.Topic?.Value is { Length: > 0 } rawTopic)
            {
                topic = Flatten(tally.Clean(rawTopic));
                line.Append(" — topic: ").Append(topic);
            }
            else if (channel.Purpose?.Value is { Length: > 0 } rawPurpose)
            {
                purpose = Flatten(tally.Clean(rawPurpose));
                line.Append(" — purpose: ").Append(purpose);
            }
        }

        var kind = channel.IsIm ? "im" : channel.IsMpim ? "mpim" : channel.IsPrivate ? "private" : "public";
        var item = new ChannelItem(channel.Id, name, kind, channel.IsMember, channel.IsArchived, channel.NumMembers, topic, purpose, person);
        return (line.Append('\n').ToString(), item);
    }

    private static string Flatten(string text) => text.ReplaceLineEndings(" ");

    private static string SlackType(string type) => type.ToLowerInvariant() switch
    {
        "public" or "public_channel" => "public_channel",
        "private" or "private_channel" => "private_channel",
        "im" or "dm" => "im",
        "mpim" or "group_dm" => "mpim",
        _ => throw ConnectorException.InvalidArgument("types", "use public, private, im and/or mpim, comma-separated."),
    };
}
