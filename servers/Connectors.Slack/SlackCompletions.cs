using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Slack;

/// <summary>
/// <c>completion/complete</c> for the channel and user templates and the prompts' arguments, from the directory's cache
/// only: a completion never calls Slack (names appear once a tool, a lookup or resources/list has met them).
/// </summary>
internal static class SlackCompletions
{
    public const int MaxValues = 100;

    /// <summary>Longer values cannot be a channel name (80), a handle or an ID: they match nothing.</summary>
    private const int MaxValueLength = 100;

    private static readonly string[] Windows = ["1h", "8h", "12h", "1d", "2d", "7d", "30d"];

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var request = context.Params!;
        var value = request.Argument.Value ?? "";
        var kind = (request.Ref, request.Argument.Name) switch
        {
            (ResourceTemplateReference { Uri: SlackResources.ChannelTemplate }, "id") => Kind.ChannelInUri,
            (ResourceTemplateReference { Uri: SlackResources.UserTemplate }, "id") => Kind.User,
            (PromptReference { Name: "summarize_channel" }, "channel") => Kind.Channel,
            (PromptReference { Name: "summarize_channel" }, "window") => Kind.Window,
            (PromptReference { Name: "catch_up" }, "since") => Kind.Window,
            _ => Kind.None,
        };

        var directory = context.Services!.GetRequiredService<SlackDirectory>();
        IEnumerable<string> candidates = value.Length > MaxValueLength || value.Any(char.IsControl) ? [] : kind switch
        {
            // In a URI '#' would start the fragment, so the template takes the bare name.
            Kind.Channel or Kind.ChannelInUri => directory.KnownChannels().Where(c => !c.IsIm && !c.IsMpim)
                .SelectMany(c => c.Name is { Length: > 0 } name ? [c.Id, (kind == Kind.Channel ? "#" : "") + name] : new[] { c.Id }),
            Kind.User => directory.KnownUsers().Where(u => !u.Deleted)
                .SelectMany(u => SlackDirectory.Handles(u).Select(h => "@" + h).Prepend(u.Id)),
            Kind.Window => Windows,
            _ => [],
        };

        // '#gen' and 'gen' both find #general (or general); '@jo' and 'jo' both find @jordan.
        var bare = value.TrimStart('#', '@');
        var matches = candidates
            .Where(c => c.TrimStart('#', '@').StartsWith(bare, StringComparison.OrdinalIgnoreCase))
            .Where(c => c.All(ch => !char.IsControl(ch)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [.. matches.Take(MaxValues)], Total = matches.Count, HasMore = matches.Count > MaxValues },
        });
    }

    private enum Kind
    {
        None,
        Channel,
        ChannelInUri,
        User,
        Window,
    }
}
