using Connectors.Hosting.Configuration;

namespace Connectors.Slack;

public static class SlackOptions
{
    public const string DefaultApiUrl = "https://slack.com/api/";

    /// <summary>Allows posting to every channel the token can post to.</summary>
    public const string AnyChannel = "*";

    public static readonly ConnectorOption<string> BotToken = ConnectorOption.Text(
        "--bot-token", "SLACK_BOT_TOKEN", "slack.botToken",
        "Slack bot token (xoxb-…): reads channels, threads and people; posts as the app.", secret: true, validate: TokenCheck("xoxb-", "bot"));

    public static readonly ConnectorOption<string> UserToken = ConnectorOption.Text(
        "--user-token", "SLACK_USER_TOKEN", "slack.userToken",
        "Slack user token (xoxp-…): enables search_messages; used for reads when there is no bot token.", secret: true, validate: TokenCheck("xoxp-", "user"));

    public static readonly ConnectorOption<string> ApiUrl = ConnectorOption.Url(
        "--api-url", "SLACK_API_URL", "slack.apiUrl", "Base URL of the Slack Web API (a test emulator, a proxy).", DefaultApiUrl);

    public static readonly ConnectorOption<IReadOnlyList<string>> AllowPostChannels = ConnectorOption.List(
        "--allow-post-channels", "SLACK_ALLOW_POST_CHANNELS", "slack.allowPostChannels",
        "Channel IDs the server may post and react in (e.g. C0123ABCD,C0456EFGH), or * for any. Without it no posting tool exists.");

    public static readonly ConnectorOption<int> CacheTtlSeconds = ConnectorOption.WholeNumber(
        "--cache-ttl", "SLACK_CACHE_TTL", "slack.cacheTtl", "How long channel and user names are remembered, in seconds.", 900, 0, 86_400).Formerly(configKey: "slack.cacheTtlSeconds");

    public static readonly ConnectorOption<int> CacheSize = ConnectorOption.WholeNumber(
        "--cache-size", "SLACK_CACHE_SIZE", "slack.cacheSize", "Most channels and users remembered at once.", 20_000, 100, 1_000_000);

    private static Func<string, string?> TokenCheck(string prefix, string kind) => value =>
        value.Length == 0 || value.StartsWith(prefix, StringComparison.Ordinal) || value.StartsWith("xoxe." + prefix, StringComparison.Ordinal)
            ? null
            : $"a Slack {kind} token starts with '{prefix}' (the value given does not; is it the other kind of token?)";

    /// <summary>Null when the list is well formed, otherwise why not.</summary>
    public static string? CheckPostChannels(IReadOnlyList<string> channels) =>
        channels.FirstOrDefault(c => c != AnyChannel && !SlackIds.IsConversationId(c)) is { } bad
            ? $"--allow-post-channels takes channel IDs such as C0123ABCD (or *); '{bad}' is not one. Find a channel's ID with list_channels."
            : null;
}
