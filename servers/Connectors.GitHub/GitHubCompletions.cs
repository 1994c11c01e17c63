using Connectors.GitHub.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.GitHub;

/// <summary>
/// <c>completion/complete</c> for the prompts' <c>repo</c> and the <c>github://</c> template's owner and repo, from the
/// repositories the response cache already holds: a completion never calls GitHub. Paths and numbers are not suggested
/// (that would need a call per keystroke).
/// </summary>
internal static class GitHubCompletions
{
    public const int MaxValues = 100;
    public const string FileTemplate = "github://{owner}/{repo}/{+path}";

    /// <summary>owner/name is at most 39 + 1 + 100 characters; anything longer matches nothing.</summary>
    private const int MaxValueLength = 140;

    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var request = context.Params!;
        var value = request.Argument.Value ?? "";
        var known = context.Services!.GetRequiredService<GitHubClient>().KnownRepositories();
        string? owner = request.Context?.Arguments is { } given && given.TryGetValue("owner", out var o) ? o : null;
        IEnumerable<string> candidates = value.Length > MaxValueLength ? [] : (request.Ref, request.Argument.Name) switch
        {
            (PromptReference { Name: "triage_issue" or "review_pull_request" }, "repo") => known,
            (ResourceTemplateReference { Uri: FileTemplate }, "owner") => known.Select(r => r[..r.IndexOf('/', StringComparison.Ordinal)]),
            (ResourceTemplateReference { Uri: FileTemplate }, "repo") => known
                .Where(r => owner is null || r.StartsWith(owner + "/", StringComparison.OrdinalIgnoreCase))
                .Select(r => r[(r.IndexOf('/', StringComparison.Ordinal) + 1)..]),
            _ => [],
        };

        var matches = candidates.Where(c => c.StartsWith(value, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [.. matches.Take(MaxValues)], Total = matches.Count, HasMore = matches.Count > MaxValues },
        });
    }
}
