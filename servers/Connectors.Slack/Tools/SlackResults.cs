using System.Text.Json.Serialization;

namespace Connectors.Slack.Tools;

// The structured answers of the Slack tools (their output schemas come from these types; names in camelCase). Every
// string from Slack in them is the sanitized one the text shows. A page says how to go on: nextCursor (or nextPage),
// and truncated when the answer reached its size budget (for a history, nextLatest then continues it).

/// <summary>A channel; kind is public, private, im or mpim; user is the other person of a DM.</summary>
public sealed record ChannelItem(string Id, string? Name, string Kind, bool Member, bool Archived, int? Members, string? Topic, string? Purpose, string? User);

public sealed record ChannelList(IReadOnlyList<ChannelItem> Channels, bool Truncated, string? NextCursor);

public sealed record FileItem(string Name, string Type, long? Size);

public sealed record AttachmentItem(string Title, string Text, string? Link);

public sealed record ReactionItem(string Name, int Count);

/// <summary>A message: author is the readable name (bot set for bots), text with mentions and links made readable.</summary>
public sealed record MessageItem(
    string? Ts, string Time, string? User, string Author, bool Bot, string? Subtype, string Text, bool Edited, string? ThreadTs, int? ReplyCount,
    IReadOnlyList<FileItem> Files, IReadOnlyList<AttachmentItem> Attachments, IReadOnlyList<ReactionItem> Reactions)
{
    /// <summary>The channel, for search matches.</summary>
    public string? Channel { get; init; }

    /// <summary>The permalink, for search matches.</summary>
    public string? Permalink { get; init; }
}

public sealed record MessageList(string Channel, IReadOnlyList<MessageItem> Messages, bool Truncated, string? NextCursor, string? NextLatest);

public sealed record MessageSearch(IReadOnlyList<MessageItem> Matches, int Total, int Page, int Pages, bool Truncated, int? NextPage);

public sealed record UserItem(
    string Id, string Handle, string? DisplayName, string? RealName, string? Title, string? Email, string? Status, string? TimeZone,
    bool Bot, bool Admin, bool Deactivated);

public sealed record UserList(IReadOnlyList<UserItem> Users, bool Truncated, string? NextCursor);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChannelList))]
[JsonSerializable(typeof(MessageList))]
[JsonSerializable(typeof(MessageSearch))]
[JsonSerializable(typeof(UserItem))]
[JsonSerializable(typeof(UserList))]
internal sealed partial class SlackResultsJson : JsonSerializerContext;
