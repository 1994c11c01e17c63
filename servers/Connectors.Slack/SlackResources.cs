using System.Globalization;
using System.Text;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;

namespace Connectors.Slack;

/// <summary>
/// Channels and people as resources: <c>slack://channel/{id}</c> and <c>slack://user/{id}</c> (an ID, or a name the
/// directory resolves). <c>resources/list</c> reads one Slack page per request, channels first and then people, and hands
/// back a cursor for the next; every entry it lists is remembered, so completions have names to offer.
/// </summary>
[McpServerResourceType]
internal sealed class SlackResources(SlackDirectory directory)
{
    public const string ChannelTemplate = "slack://channel/{id}";
    public const string UserTemplate = "slack://user/{id}";
    public const int PageSize = 100;
    private const string ChannelCursor = "channels:";
    private const string UserCursor = "users:";

    [McpServerResource(UriTemplate = ChannelTemplate, Name = "slack_channel", Title = "Slack channel", MimeType = "text/plain")]
    [Description("A channel's name, kind, member count, topic and purpose, by ID (C0123ABCD) or name.")]
    public async Task<ResourceContents> ReadChannel(
        [Description("Channel ID such as C0123ABCD, or its name.")] string id,
        CancellationToken cancellationToken = default)
    {
        var channel = await Resolve(() => directory.ChannelAsync(Uri.UnescapeDataString(id), cancellationToken));
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"#{Clean(channel.Name ?? channel.Id)} ({channel.Id}): ")
            .Append(channel.IsIm ? "direct message" : channel.IsMpim ? "group direct message" : channel.IsPrivate ? "private channel" : "public channel")
            .Append(channel.IsArchived ? ", archived" : "")
            .Append(channel.NumMembers is { } members ? $", {members.ToString(CultureInfo.InvariantCulture)} members" : "")
            .Append('\n');
        AppendLine(text, "Topic", channel.Topic?.Value);
        AppendLine(text, "Purpose", channel.Purpose?.Value);
        return new TextResourceContents { Uri = $"slack://channel/{channel.Id}", MimeType = "text/plain", Text = text.ToString() };
    }

    [McpServerResource(UriTemplate = UserTemplate, Name = "slack_user", Title = "Slack user", MimeType = "text/plain")]
    [Description("A person's names, title, time zone and status, by ID (U0123ABCD), @handle or email.")]
    public async Task<ResourceContents> ReadUser(
        [Description("User ID such as U0123ABCD, @handle or email address.")] string id,
        CancellationToken cancellationToken = default)
    {
        var user = await Resolve(() => directory.UserAsync(Uri.UnescapeDataString(id), cancellationToken));
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{Clean(SlackDirectory.DisplayName(user))} ({user.Id})")
            .Append(user.Name is { Length: > 0 } handle ? $", @{Clean(handle)}" : "")
            .Append(user.IsBot ? ", bot" : "").Append(user.Deleted ? ", deactivated" : "").Append('\n');
        AppendLine(text, "Real name", user.Profile?.RealName ?? user.RealName);
        AppendLine(text, "Title", user.Profile?.Title);
        AppendLine(text, "Time zone", user.Tz);
        AppendLine(text, "Status", user.Profile?.StatusText);
        return new TextResourceContents { Uri = $"slack://user/{user.Id}", MimeType = "text/plain", Text = text.ToString() };
    }

    /// <summary>resources/list: one page of channels or people per call, with a cursor for the next.</summary>
    public static async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> context, CancellationToken cancellationToken)
    {
        var slack = context.Services!.GetRequiredService<SlackApiClient>();
        var directory = context.Services!.GetRequiredService<SlackDirectory>();
        var cursor = context.Params?.Cursor;
        var size = PageSize.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (cursor is null || cursor.StartsWith(ChannelCursor, StringComparison.Ordinal))
            {
                var list = await slack.CallAsync(
                    new SlackCall("conversations.list", SlackDirectory.Args(("types", "public_channel,private_channel"), ("exclude_archived", "true"), ("limit", size), ("cursor", SlackCursor(cursor, ChannelCursor))), slack.Tokens.Default),
                    SlackJsonContext.Default.ConversationListResponse, cancellationToken);
                list.Channels.ForEach(directory.Remember);
                return new ListResourcesResult
                {
                    Resources = [.. list.Channels.Select(ChannelResource)],
                    NextCursor = list.NextCursor is { } next ? ChannelCursor + next : UserCursor,
                };
            }

            if (cursor.StartsWith(UserCursor, StringComparison.Ordinal))
            {
                var list = await slack.CallAsync(
                    new SlackCall("users.list", SlackDirectory.Args(("limit", size), ("cursor", SlackCursor(cursor, UserCursor))), slack.Tokens.Default),
                    SlackJsonContext.Default.UserListResponse, cancellationToken);
                list.Members.ForEach(directory.Remember);
                return new ListResourcesResult
                {
                    Resources = [.. list.Members.Where(u => !u.Deleted).Select(UserResource)],
                    NextCursor = list.NextCursor is { } next ? UserCursor + next : null,
                };
            }
        }
        catch (ConnectorException e)
        {
            throw new McpProtocolException(e.Message, e.Code == ErrorCodes.InvalidArgument ? McpErrorCode.InvalidParams : McpErrorCode.InternalError);
        }

        throw new McpProtocolException("cursor: not one this server gave out; start again without a cursor.", McpErrorCode.InvalidParams);
    }

    private static string? SlackCursor(string? cursor, string prefix) =>
        cursor is null || cursor.Length == prefix.Length ? null : cursor[prefix.Length..];

    private static Resource ChannelResource(SlackChannel channel) => new()
    {
        Uri = $"slack://channel/{channel.Id}",
        Name = "#" + Clean(channel.Name ?? channel.Id),
        Description = Short(channel.Purpose?.Value) ?? (channel.IsPrivate ? "Private channel" : "Public channel"),
        MimeType = "text/plain",
    };

    private static Resource UserResource(SlackUser user) => new()
    {
        Uri = $"slack://user/{user.Id}",
        Name = user.Name is { Length: > 0 } handle ? "@" + Clean(handle) : user.Id,
        Description = Short(SlackDirectory.DisplayName(user) + (user.Profile?.Title is { Length: > 0 } title ? " - " + title : "")),
        MimeType = "text/plain",
    };

    private static async Task<T> Resolve<T>(Func<Task<T>> lookup)
    {
        try
        {
            return await lookup();
        }
        catch (ConnectorException e)
        {
            throw new McpProtocolException(e.Message, e.Code == ErrorCodes.NotFound ? McpErrorCode.ResourceNotFound : McpErrorCode.InvalidParams);
        }
    }

    private static void AppendLine(StringBuilder text, string label, string? value)
    {
        if (value is { Length: > 0 })
        {
            text.Append(label).Append(": ").Append(Clean(value)).Append('\n');
        }
    }

    private static string Clean(string text) => UntrustedText.Sanitize(text).Text;

    private static string? Short(string? text) =>
        text is not { Length: > 0 } ? null : Clean(text.Length > 200 ? text[..200] + "…" : text);
}
