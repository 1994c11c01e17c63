using System.Globalization;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;

namespace Connectors.Slack;

/// <summary>A message count, or a time window reaching back from now.</summary>
internal readonly record struct MessageLimit(int Count, TimeSpan? Window);

/// <summary>
/// What every tool handler calls first: it turns the caller's channel, time and limit arguments into checked values and
/// decides whether a channel may be posted to (<c>--allow-post-channels</c>).
/// </summary>
internal sealed class SlackGuard(SlackDirectory directory, TimeProvider time, IReadOnlyList<string> postChannels)
{
    public const int MaxMessagesPerCall = 1000;
    public const int MaxTextLength = 40_000;

    public bool PostingAllowed => postChannels.Count > 0;

    public async Task<SlackChannel> ChannelAsync(string? channel, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(channel)
            ? throw ConnectorException.InvalidArgument("channel", "give a channel ID such as C0123ABCD or a name such as #general.")
            : await directory.ChannelAsync(channel, cancellationToken);

    /// <summary>The channel, if the allow-list lets this server post there; <c>permission_denied</c> naming the list otherwise.</summary>
    public async Task<SlackChannel> PostChannelAsync(string? channel, CancellationToken cancellationToken)
    {
        var target = await ChannelAsync(channel, cancellationToken);
        if (!postChannels.Contains(SlackOptions.AnyChannel) && !postChannels.Contains(target.Id))
        {
            throw ConnectorException.PermissionDenied(
                $"This server may not post in {Describe(target)}; it may post only in: {string.Join(", ", postChannels)} (--allow-post-channels).");
        }

        return target;
    }

    public static string Timestamp(string argument, string? value) =>
        value is not null && SlackIds.IsTimestamp(value.Trim())
            ? value.Trim()
            : throw ConnectorException.InvalidArgument(argument, "give a Slack message ts such as 1712345678.123456 (shown as ts= in message lists).");

    public static string Text(string? text) =>
        string.IsNullOrWhiteSpace(text) ? throw ConnectorException.InvalidArgument("text", "the message is empty.")
        : text.Length > MaxTextLength ? throw ConnectorException.InvalidArgument("text", $"Slack takes at most {MaxTextLength:N0} characters.")
        : text;

    /// <summary><c>limit</c> as a count ("50") or a window back from now ("30m", "12h", "1d", "2w").</summary>
    public static MessageLimit Limit(string? limit, int defaultCount)
    {
        if (string.IsNullOrWhiteSpace(limit))
        {
            return new MessageLimit(defaultCount, null);
        }

        var value = limit.Trim();
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count is >= 1 and <= MaxMessagesPerCall
                ? new MessageLimit(count, null)
                : throw ConnectorException.InvalidArgument("limit", $"a count is between 1 and {MaxMessagesPerCall}.");
        }

        return Window(value) is { } window
            ? new MessageLimit(MaxMessagesPerCall, window)
            : throw ConnectorException.InvalidArgument("limit", "give a count (e.g. 50) or a time window (e.g. 30m, 12h, 1d, 7d, 2w).");
    }

    /// <summary>A point in time as Slack's ts: a window back from now ("1d"), a ts, or an ISO 8601 date or time.</summary>
    public string? Since(string argument, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (Window(trimmed) is { } window)
        {
            return SlackIds.Timestamp(time.GetUtcNow() - window);
        }

        if (SlackIds.IsTimestamp(trimmed))
        {
            return trimmed;
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            ? SlackIds.Timestamp(when)
            : throw ConnectorException.InvalidArgument(argument, "give a window back from now (e.g. 1d, 12h), a Slack ts, or an ISO 8601 time (2025-01-31T09:00:00Z).");
    }

    public string Oldest(MessageLimit limit, string? oldest) =>
        limit.Window is { } window ? SlackIds.Timestamp(time.GetUtcNow() - window) : Since("oldest", oldest) ?? "";

    public static string Describe(SlackChannel channel) =>
        channel.IsIm ? $"a direct message ({channel.Id})" : $"#{UntrustedText.Sanitize(channel.Name).Text} ({channel.Id})";

    private static TimeSpan? Window(string value)
    {
        if (value.Length < 2 || !int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount is < 1 or > 10_000)
        {
            return null;
        }

        return char.ToLowerInvariant(value[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            'w' => TimeSpan.FromDays(7 * amount),
            _ => null,
        };
    }
}
