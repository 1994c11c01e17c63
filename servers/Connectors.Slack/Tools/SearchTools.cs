using System.Globalization;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;

namespace Connectors.Slack.Tools;

/// <summary>Slack search, which only a user token may use; offered only when SLACK_USER_TOKEN is set.</summary>
[McpServerToolType]
internal sealed class SearchTools(SlackApiClient slack, MessageRenderer renderer, OutputBudget budget)
{
    [McpServerTool(Name = "search_messages", Title = "Search messages", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(MessageSearch))]
    [Description("Searches messages the user token can see, with Slack's modifiers (in:#channel, from:@jane, before:2025-01-31, after:, has:link, \"exact phrase\"). " +
        "Each match comes with its channel, time, ts and permalink. Paged with page.")]
    public async Task<CallToolResult> SearchMessages(
        [Description("Search text with optional modifiers, e.g. deploy in:#ops after:2025-01-01.")] string query,
        [Description("score (best matches first, default) or timestamp (newest first).")] string sort = "score",
        [Description("Matches per page, 1 to 100 (default 20).")] int count = 20,
        [Description("Page number, from 1.")] int page = 1,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > 1000)
        {
            throw ConnectorException.InvalidArgument(nameof(query), "give 1 to 1000 characters of search text.");
        }

        if (sort is not ("score" or "timestamp"))
        {
            throw ConnectorException.InvalidArgument(nameof(sort), "use score or timestamp.");
        }

        if (count is < 1 or > 100 || page is < 1 or > 100)
        {
            throw ConnectorException.InvalidArgument(count is < 1 or > 100 ? nameof(count) : nameof(page), "count is 1 to 100; page is 1 to 100.");
        }

        var result = await slack.CallAsync(
            new SlackCall("search.messages", SlackDirectory.Args(
                ("query", query), ("sort", sort), ("sort_dir", "desc"), ("count", count.ToString(CultureInfo.InvariantCulture)), ("page", page.ToString(CultureInfo.InvariantCulture))),
                SlackTokenKind.User),
            SlackJsonContext.Default.SearchResponse, cancellationToken);

        var matches = result.Messages?.Matches ?? [];
        var names = await renderer.ResolveAsync(matches.Select(m => (m.User, m.Text)), cancellationToken);
        var tally = new SanitizationTally();
        var text = new PageText(budget);
        var shown = new List<MessageItem>();
        foreach (var match in matches)
        {
            var where = match.Channel?.Name is { Length: > 0 } name ? $"#{tally.Clean(name)} ({match.Channel.Id})" : match.Channel?.Id ?? "unknown channel";
            var message = new SlackMessage { Ts = match.Ts, User = match.User, Username = match.Username, Text = match.Text };
            var (rendered, item) = MessageRenderer.Render(message, names, tally, match.Channel?.Id);
            var entry = $"{where} " + rendered;
            var permalink = match.Permalink is { Length: > 0 } link ? tally.Clean(link) : null;
            if (permalink is not null)
            {
                entry += $"  link: {permalink}\n";
            }

            if (!text.TryAdd(entry))
            {
                break;
            }

            shown.Add(item with { Channel = match.Channel?.Id, Permalink = permalink });
        }

        var total = result.Messages?.Pagination?.TotalCount ?? result.Messages?.Total ?? matches.Count;
        var pages = result.Messages?.Pagination?.PageCount ?? 1;
        var more = page < pages ? $"More matches: call again with page={page + 1}." : null;
        var cut = text.Full ? "The answer reached its size budget; use a smaller count." : null;
        var value = new MessageSearch(shown, total, page, Math.Max(pages, 1), text.Full, page < pages ? page + 1 : null);
        return TypedResults.Create(text.Build($"{total} match(es) for the query; page {page} of {Math.Max(pages, 1)} ({text.Count} shown):", tally, cut, more, names.Notice),
            value, SlackResultsJson.Default.MessageSearch);
    }
}
