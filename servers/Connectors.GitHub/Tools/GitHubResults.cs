using System.Text.Json.Serialization;

namespace Connectors.GitHub.Tools;

// The structured answers of the GitHub tools (their output schemas come from these types; names in camelCase). Every
// string from GitHub in them is the sanitized one the text shows, and a body lockdown withholds is null with withheld
// set. A page says where the next one is (nextPage), and truncated when the text was cut to the output budget.

public sealed record UserResult(string Login, string? Name, string? Url, string Credential, string? Scopes);

public sealed record IssueItem(
    string? Repository, int Number, bool PullRequest, string State, string? StateReason, string Title, string? Author, int Comments,
    DateTimeOffset UpdatedAt, IReadOnlyList<string> Labels, string Url);

public sealed record IssueList(IReadOnlyList<IssueItem> Issues, int? TotalCount, bool IncompleteResults, int? NextPage, bool Truncated);

public sealed record CommentItem(long Id, string? Author, DateTimeOffset CreatedAt, string? Body, bool Withheld, string Url);

public sealed record IssueResult(
    IssueItem Issue, IReadOnlyList<string> Assignees, string? Body, bool Withheld, IReadOnlyList<CommentItem> Comments, int? NextCommentsPage, bool Truncated);

public sealed record PullItem(int Number, string State, bool Draft, bool Merged, string Title, string? Author, string Head, string Base, DateTimeOffset UpdatedAt, string Url);

public sealed record PullList(IReadOnlyList<PullItem> PullRequests, int? NextPage, bool Truncated);

public sealed record PullResult(
    PullItem PullRequest, string HeadSha, int Commits, int Additions, int Deletions, int ChangedFiles, bool? Mergeable, string? MergeableState,
    string? Body, bool Withheld, bool Truncated);

public sealed record RepositoryItem(
    string FullName, bool Private, string? Visibility, bool Archived, string Url, string? Description, string DefaultBranch, string? Language,
    int Stars, int Forks, int OpenIssues, IReadOnlyList<string> Topics, DateTimeOffset? PushedAt, bool? CanPush);

public sealed record RepositoryList(IReadOnlyList<RepositoryItem> Repositories, int TotalCount, bool IncompleteResults, int? NextPage, bool Truncated);

public sealed record RunItem(
    long Id, string? Name, int RunNumber, string? Status, string? Conclusion, string? Title, string? Event, string? Branch, string HeadSha,
    DateTimeOffset CreatedAt, string Url);

public sealed record RunList(IReadOnlyList<RunItem> Runs, int TotalCount, int? NextPage, bool Truncated);

public sealed record FailedStep(int Number, string Name);

public sealed record JobItem(long Id, string Name, string? Status, string? Conclusion, string Url, IReadOnlyList<FailedStep> FailedSteps);

public sealed record RunResult(RunItem Run, IReadOnlyList<JobItem> Jobs, int TotalJobs, bool Truncated);

public sealed record BranchItem(string Name, string Sha, bool Protected);

public sealed record BranchList(IReadOnlyList<BranchItem> Branches, int? NextPage, bool Truncated);

/// <summary>A commit; title is the first line of its message.</summary>
public sealed record CommitItem(string Sha, string? Author, DateTimeOffset? Date, string Title);

public sealed record CommitList(IReadOnlyList<CommitItem> Commits, int? NextPage, bool Truncated);

public sealed record ChangedFile(string Path, string Status, int Additions, int Deletions);

public sealed record CommitResult(string Sha, string? Author, DateTimeOffset? Date, string Url, string? Message, int? Additions, int? Deletions, IReadOnlyList<ChangedFile> Files, bool Truncated);

public sealed record FileList(IReadOnlyList<ChangedFile> Files, int? NextPage, bool Truncated);

public sealed record CodeHit(string Repository, string Path, string Url);

public sealed record CodeHitList(IReadOnlyList<CodeHit> Hits, int TotalCount, bool IncompleteResults, int? NextPage, bool Truncated);

public sealed record ReviewItem(long Id, string State, string? Reviewer, DateTimeOffset? SubmittedAt, string? Body, bool Withheld, string Url);

public sealed record ReviewList(IReadOnlyList<ReviewItem> Reviews, int? NextPage, bool Truncated);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UserResult))]
[JsonSerializable(typeof(IssueList))]
[JsonSerializable(typeof(IssueResult))]
[JsonSerializable(typeof(PullList))]
[JsonSerializable(typeof(PullResult))]
[JsonSerializable(typeof(RepositoryItem))]
[JsonSerializable(typeof(RepositoryList))]
[JsonSerializable(typeof(RunList))]
[JsonSerializable(typeof(RunResult))]
[JsonSerializable(typeof(BranchList))]
[JsonSerializable(typeof(CommitList))]
[JsonSerializable(typeof(CommitResult))]
[JsonSerializable(typeof(FileList))]
[JsonSerializable(typeof(CodeHitList))]
[JsonSerializable(typeof(ReviewList))]
internal sealed partial class GitHubResultsJson : JsonSerializerContext;
