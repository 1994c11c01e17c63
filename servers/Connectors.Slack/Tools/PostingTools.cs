using System.Net.Http.Json;
using Connectors.Slack.Api;

namespace Connectors.Slack.Tools;

/// <summary>
/// Posting and reacting, registered only when <c>--allow-post-channels</c> is set, and then only in those channels
/// (<see cref="SlackGuard.PostChannelAsync"/>). Text is sent as given; a repeated <c>idempotency_key</c> answers with the
/// first post instead of posting twice, and a post whose outcome is unknown is never sent again under its key.
/// </summary>
[McpServerToolType]
internal sealed class PostingTools(SlackGuard guard, SlackApiClient slack, IdempotencyCache idempotency)
{
    private const string KeyDescription = "Optional key (e.g. a UUID) making a retry safe: a repeat with the same key returns the first post instead of posting again.";

    [McpServerTool(Name = "post_message", Title = "Post a message", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Posts a message in an allowed channel, exactly as given (Slack mrkdwn; mention people as <@U0123ABCD>, <!here>). " +
        "Link previews are off unless asked. Returns the message's ts.")]
    public async Task<string> PostMessage(
        RequestContext<CallToolRequestParams> context,
        [Description("Channel ID (C0123ABCD) or name (#general); must be in the server's allowed list.")] string channel,
        [Description("The message text (Slack mrkdwn), at most 40,000 characters.")] string text,
        [Description(KeyDescription)] string? idempotency_key = null,
        [Description("Let Slack show previews of links in the text.")] bool unfurl_links = false,
        [Description("Let Slack show previews of images and media.")] bool unfurl_media = false,
        CancellationToken cancellationToken = default)
    {
        var target = await guard.PostChannelAsync(channel, cancellationToken);
        var body = SlackGuard.Text(text);
        var request = new PostMessageRequest { Channel = target.Id, Text = body, UnfurlLinks = unfurl_links, UnfurlMedia = unfurl_media };
        var posted = await idempotency.RunOnceAsync(
            "post_message", idempotency_key, $"{target.Id}\n{unfurl_links}{unfurl_media}\n{body}", context.User, ct => PostAsync(request, ct), IdempotencyCache.TextResult, cancellationToken);
        return Posted(posted, $"Posted in {SlackGuard.Describe(target)}", target.Id);
    }

    [McpServerTool(Name = "reply_to_thread", Title = "Reply in a thread", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true)]
    [Description("Replies in a message's thread in an allowed channel, text exactly as given. broadcast also shows the reply in the channel. Returns the reply's ts.")]
    public async Task<string> ReplyToThread(
        RequestContext<CallToolRequestParams> context,
        [Description("Channel ID (C0123ABCD) or name (#general); must be in the server's allowed list.")] string channel,
        [Description("ts of the thread's parent message.")] string thread_ts,
        [Description("The reply text (Slack mrkdwn), at most 40,000 characters.")] string text,
        [Description("Also show the reply in the channel.")] bool broadcast = false,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var target = await guard.PostChannelAsync(channel, cancellationToken);
        var parent = SlackGuard.Timestamp(nameof(thread_ts), thread_ts);
        var body = SlackGuard.Text(text);
        var request = new PostMessageRequest { Channel = target.Id, Text = body, ThreadTs = parent, ReplyBroadcast = broadcast };
        var posted = await idempotency.RunOnceAsync(
            "reply_to_thread", idempotency_key, $"{target.Id}\n{parent}\n{broadcast}\n{body}", context.User, ct => PostAsync(request, ct), IdempotencyCache.TextResult, cancellationToken);
        return Posted(posted, $"Replied in thread {parent} in {SlackGuard.Describe(target)}", target.Id);
    }

    [McpServerTool(Name = "add_reaction", Title = "Add a reaction", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Adds an emoji reaction to a message in an allowed channel. Reacting twice with the same emoji changes nothing.")]
    public async Task<string> AddReaction(
        RequestContext<CallToolRequestParams> context,
        [Description("Channel ID (C0123ABCD) or name (#general); must be in the server's allowed list.")] string channel,
        [Description("ts of the message to react to.")] string ts,
        [Description("Emoji name without colons, e.g. thumbsup, white_check_mark.")] string name,
        [Description(KeyDescription)] string? idempotency_key = null,
        CancellationToken cancellationToken = default)
    {
        var target = await guard.PostChannelAsync(channel, cancellationToken);
        var message = SlackGuard.Timestamp(nameof(ts), ts);
        var emoji = (name ?? "").Trim().Trim(':');
        if (emoji.Length is 0 or > 100 || !emoji.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '+' or '\''))
        {
            throw ConnectorException.InvalidArgument(nameof(name), "an emoji name is lower-case letters, digits, _ - + (e.g. thumbsup).");
        }

        var added = await idempotency.RunOnceAsync(
            "add_reaction", idempotency_key, $"{target.Id}\n{message}\n{emoji}", context.User,
            async ct =>
            {
                try
                {
                    await slack.CallAsync(
                        new SlackCall("reactions.add", SlackDirectory.Args(("channel", target.Id), ("timestamp", message), ("name", emoji)), slack.Tokens.Default, Write: true) { Channel = target.Id },
                        SlackJsonContext.Default.SlackResponse, ct);
                    return true;
                }
                catch (ConnectorException ex) when (ex.Code == ErrorCodes.AlreadyExists)
                {
                    return false;
                }
            },
            IdempotencyCache.FlagResult,
            cancellationToken);
        return added.Value
            ? $"Added :{emoji}: to message {message} in {SlackGuard.Describe(target)}."
            : $":{emoji}: was already on message {message} in {SlackGuard.Describe(target)}; nothing changed.";
    }

    private async Task<string> PostAsync(PostMessageRequest request, CancellationToken cancellationToken)
    {
        var response = await slack.CallAsync(
            new SlackCall("chat.postMessage", SlackDirectory.Args(("channel", request.Channel), ("thread_ts", request.ThreadTs)), slack.Tokens.Default, Write: true)
            {
                Channel = request.Channel,
                JsonBody = () => JsonContent.Create(request, SlackJsonContext.Default.PostMessageRequest),
            },
            SlackJsonContext.Default.PostMessageResponse, cancellationToken);
        return response.Ts ?? throw ConnectorException.UpstreamUnavailable("Slack accepted the message but did not say its ts.");
    }

    private static string Posted(IdempotentResult<string> posted, string what, string channelId)
    {
        var replay = posted.Replayed
            ? $" (idempotency_key already used at {posted.FirstCalledAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: this is that post; nothing new was sent)"
            : "";
        return $"{what} at {SlackIds.IsoTime(posted.Value)}, ts={posted.Value}{replay}. Reply in its thread with reply_to_thread(channel={channelId}, thread_ts={posted.Value}).";
    }
}
