namespace Connectors.Slack.Tools;

/// <summary>Guided prompts; they only describe the steps, so getting one costs no Slack call.</summary>
[McpServerPromptType]
internal sealed class SlackPrompts(Api.SlackTokens tokens)
{
    [McpServerPrompt(Name = "summarize_channel", Title = "Summarize a channel")]
    [Description("Summarizes what happened in one channel over a time window: decisions, open questions, who is waiting on whom.")]
    public static string SummarizeChannel(
        [Description("Channel ID or name, e.g. #general.")] string channel,
        [Description("How far back: 12h, 1d (default), 7d…")] string window = "1d") =>
        $"""
        Summarize the Slack channel {channel} over the last {window}.
        1. Call get_channel_history with channel="{channel}" and limit="{window}". If it says there are older messages, follow its cursor.
        2. For every thread with replies that matters, call get_thread_replies with its ts.
        3. Write the summary: the main topics; decisions made (who decided, with the message time); open questions and
           requests still waiting for an answer (who asked whom); links and files worth opening. Name people as shown (@name).
        Quote sparingly, and say when the window had no messages.
        """;

    [McpServerPrompt(Name = "catch_up", Title = "Catch up on my channels")]
    [Description("What happened in the channels I am in since a time: the few things worth reading first, then the rest by channel.")]
    public string CatchUp(
        [Description("Since when: a window such as 8h or 1d (default), or an ISO 8601 time.")] string since = "1d")
    {
        var search = tokens.HasUser
            ? "\n3. Call search_messages with a query naming me (e.g. my @handle) and sort=timestamp to find mentions in channels I may have missed."
            : "";
        return $"""
            Catch me up on Slack since {since}.
            1. Call list_channels with member_only=true to get the channels I am in.
            2. For each, call get_channel_history with limit="{since}" (a time) or oldest="{since}" (an ISO time); skip channels with no messages.{search}
            Then answer: first, anything addressed to me or waiting on me; then decisions and announcements; then, per channel,
            two or three lines on what was discussed. Give each item's channel and time so I can open it.
            """;
    }
}
