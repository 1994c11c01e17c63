using System.Text.Json.Serialization;

namespace Connectors.Slack.Api;

// Only the fields the tools use; Slack sends many more, which the deserializer skips.

internal class SlackResponse
{
    public bool Ok { get; set; }

    public string? Error { get; set; }

    /// <summary>With missing_scope: the scope the method needs.</summary>
    public string? Needed { get; set; }

    /// <summary>With missing_scope: the scopes the token has.</summary>
    public string? Provided { get; set; }

    public string? Warning { get; set; }

    public ResponseMetadata? ResponseMetadata { get; set; }

    public string? NextCursor => ResponseMetadata?.NextCursor is { Length: > 0 } cursor ? cursor : null;
}

internal sealed class ResponseMetadata
{
    public string? NextCursor { get; set; }

    public List<string>? Warnings { get; set; }
}

internal sealed class ConversationListResponse : SlackResponse
{
    public List<SlackChannel> Channels { get; set; } = [];
}

internal sealed class ConversationInfoResponse : SlackResponse
{
    public SlackChannel? Channel { get; set; }
}

internal sealed class MessagesResponse : SlackResponse
{
    public List<SlackMessage> Messages { get; set; } = [];

    public bool HasMore { get; set; }
}

internal sealed class UserListResponse : SlackResponse
{
    public List<SlackUser> Members { get; set; } = [];
}

internal sealed class UserInfoResponse : SlackResponse
{
    public SlackUser? User { get; set; }
}

internal sealed class SearchResponse : SlackResponse
{
    public SearchMessages? Messages { get; set; }
}

internal sealed class SearchMessages
{
    public int Total { get; set; }

    public List<SearchMatch> Matches { get; set; } = [];

    public SearchPagination? Pagination { get; set; }
}

internal sealed class SearchPagination
{
    public int TotalCount { get; set; }

    public int Page { get; set; }

    public int PageCount { get; set; }
}

internal sealed class SearchMatch
{
    public string? Ts { get; set; }

    public string? User { get; set; }

    public string? Username { get; set; }

    public string? Text { get; set; }

    public string? Permalink { get; set; }

    public SearchChannel? Channel { get; set; }
}

internal sealed class SearchChannel
{
    public string? Id { get; set; }

    public string? Name { get; set; }
}

internal sealed class PostMessageResponse : SlackResponse
{
    public string? Channel { get; set; }

    public string? Ts { get; set; }
}

internal sealed class AuthTestResponse : SlackResponse
{
    public string? Url { get; set; }

    public string? Team { get; set; }

    public string? User { get; set; }

    public string? TeamId { get; set; }

    public string? UserId { get; set; }

    public string? BotId { get; set; }
}

internal sealed class SlackChannel
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public bool IsChannel { get; set; }

    public bool IsGroup { get; set; }

    public bool IsIm { get; set; }

    public bool IsMpim { get; set; }

    public bool IsPrivate { get; set; }

    public bool IsArchived { get; set; }

    public bool IsMember { get; set; }

    /// <summary>The other person of a direct message.</summary>
    public string? User { get; set; }

    public int? NumMembers { get; set; }

    public TextValue? Topic { get; set; }

    public TextValue? Purpose { get; set; }
}

internal sealed class TextValue
{
    public string? Value { get; set; }
}

internal sealed class SlackMessage
{
    public string? Type { get; set; }

    public string? Subtype { get; set; }

    public string? Ts { get; set; }

    public string? User { get; set; }

    public string? BotId { get; set; }

    public string? Username { get; set; }

    public string? Text { get; set; }

    public string? ThreadTs { get; set; }

    public int? ReplyCount { get; set; }

    public string? LatestReply { get; set; }

    public BotProfile? BotProfile { get; set; }

    public List<SlackFile>? Files { get; set; }

    public List<SlackAttachment>? Attachments { get; set; }

    public List<SlackReaction>? Reactions { get; set; }

    public EditInfo? Edited { get; set; }
}

internal sealed class BotProfile
{
    public string? Name { get; set; }
}

internal sealed class EditInfo
{
    public string? Ts { get; set; }
}

internal sealed class SlackFile
{
    public string? Name { get; set; }

    public string? Title { get; set; }

    public string? Filetype { get; set; }

    public long? Size { get; set; }
}

internal sealed class SlackAttachment
{
    public string? Title { get; set; }

    public string? Text { get; set; }

    public string? Fallback { get; set; }

    public string? TitleLink { get; set; }

    public string? FromUrl { get; set; }

    public string? ServiceName { get; set; }
}

internal sealed class SlackReaction
{
    public string? Name { get; set; }

    public int Count { get; set; }
}

internal sealed class SlackUser
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public bool Deleted { get; set; }

    public bool IsBot { get; set; }

    public bool IsAdmin { get; set; }

    public string? RealName { get; set; }

    public string? Tz { get; set; }

    public UserProfile? Profile { get; set; }
}

internal sealed class UserProfile
{
    public string? DisplayName { get; set; }

    public string? RealName { get; set; }

    public string? Title { get; set; }

    public string? Email { get; set; }

    public string? StatusText { get; set; }

    public string? StatusEmoji { get; set; }
}

/// <summary>The JSON body of chat.postMessage (Slack takes JSON for it; reads go form-encoded).</summary>
internal sealed class PostMessageRequest
{
    public required string Channel { get; init; }

    public required string Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ThreadTs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ReplyBroadcast { get; init; }

    public bool UnfurlLinks { get; init; }

    public bool UnfurlMedia { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(SlackResponse))]
[JsonSerializable(typeof(ConversationListResponse))]
[JsonSerializable(typeof(ConversationInfoResponse))]
[JsonSerializable(typeof(MessagesResponse))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(UserInfoResponse))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(PostMessageResponse))]
[JsonSerializable(typeof(AuthTestResponse))]
[JsonSerializable(typeof(PostMessageRequest))]
internal sealed partial class SlackJsonContext : JsonSerializerContext;
