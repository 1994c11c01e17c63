using System.Text.Json;
using System.Text.Json.Serialization;

namespace Connectors.GitHub.Api;

// Only the fields the tools use; names map to GitHub's snake_case through GitHubJson's naming policy.
#pragma warning disable CA1812 // created by the JSON source generator

internal sealed record GitHubUser(string Login, long Id, string? Name = null, string? HtmlUrl = null, string? Type = null);

internal sealed record GitHubPermissions(bool Push);

internal sealed record GitHubRepository(
    string FullName, bool Private, string HtmlUrl, string? Description, string DefaultBranch, string? Language,
    int StargazersCount, int ForksCount, int OpenIssuesCount, IReadOnlyList<string>? Topics, bool Archived, string? Visibility,
    DateTimeOffset? PushedAt, GitHubPermissions? Permissions);

internal sealed record GitHubContent(string Type, string Name, string Path, long Size, string? Content, string? Encoding, string? HtmlUrl);

internal sealed record GitHubCommitRef(string Sha);

internal sealed record GitHubBranch(string Name, GitHubCommitRef Commit, bool Protected);

internal sealed record GitHubSignature(string? Name, DateTimeOffset? Date);

internal sealed record GitHubCommitDetail(string Message, GitHubSignature? Author);

internal sealed record GitHubCommitStats(int Additions, int Deletions, int Total);

internal sealed record GitHubFile(string Filename, string Status, int Additions, int Deletions, string? Patch);

internal sealed record GitHubCommit(
    string Sha, string HtmlUrl, GitHubCommitDetail Commit, GitHubUser? Author, GitHubCommitStats? Stats, IReadOnlyList<GitHubFile>? Files);

internal sealed record GitHubSearch<T>(int TotalCount, bool IncompleteResults, IReadOnlyList<T> Items);

internal sealed record GitHubRepositoryName(string FullName);

internal sealed record GitHubCodeHit(string Path, string HtmlUrl, GitHubRepositoryName Repository);

internal sealed record GitHubLabel(string Name);

internal sealed record GitHubIssue(
    int Number, string Title, string? Body, string State, string? StateReason, GitHubUser? User, IReadOnlyList<GitHubLabel>? Labels,
    IReadOnlyList<GitHubUser>? Assignees, int Comments, string HtmlUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string? AuthorAssociation, JsonElement? PullRequest, string? RepositoryUrl);

internal sealed record GitHubComment(long Id, GitHubUser? User, string? Body, DateTimeOffset CreatedAt, string HtmlUrl, string? AuthorAssociation);

internal sealed record GitHubBranchRef(string Ref, string Sha, string? Label);

internal sealed record GitHubPullRequest(
    int Number, string Title, string? Body, string State, bool Draft, bool Merged, bool? Mergeable, string? MergeableState, GitHubUser? User,
    GitHubBranchRef Head, GitHubBranchRef Base, string HtmlUrl, int Additions, int Deletions, int ChangedFiles, int Commits,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? AuthorAssociation, IReadOnlyList<GitHubLabel>? Labels, string? MergeCommitSha);

internal sealed record GitHubReview(long Id, GitHubUser? User, string? Body, string State, DateTimeOffset? SubmittedAt, string HtmlUrl, string? AuthorAssociation);

internal sealed record GitHubMergeResult(string Sha, bool Merged, string Message);

internal sealed record GitHubWorkflowRun(
    long Id, string? Name, string? DisplayTitle, string? HeadBranch, string HeadSha, string? Status, string? Conclusion, int RunNumber,
    string? Event, string HtmlUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

internal sealed record GitHubWorkflowRuns(int TotalCount, IReadOnlyList<GitHubWorkflowRun> WorkflowRuns);

internal sealed record GitHubStep(string Name, string? Conclusion, int Number);

internal sealed record GitHubJob(long Id, string Name, string? Status, string? Conclusion, string HtmlUrl, IReadOnlyList<GitHubStep>? Steps);

internal sealed record GitHubJobs(int TotalCount, IReadOnlyList<GitHubJob> Jobs);

internal sealed record GitHubInstallationToken(string Token, DateTimeOffset ExpiresAt);

internal sealed record GitHubErrorDetail(string? Resource, string? Field, string? Code, string? Message);

internal sealed record GitHubError(string? Message, string? DocumentationUrl, IReadOnlyList<GitHubErrorDetail>? Errors);

internal sealed record CreateIssueRequest(string Title, string? Body, IReadOnlyList<string>? Labels, IReadOnlyList<string>? Assignees);

internal sealed record UpdateIssueRequest(
    string? Title, string? Body, string? State, string? StateReason, IReadOnlyList<string>? Labels, IReadOnlyList<string>? Assignees);

internal sealed record CommentRequest(string Body);

internal sealed record CreatePullRequestRequest(string Title, string Head, string Base, string? Body, bool? Draft);

internal sealed record MergeRequest(string? CommitTitle, string? CommitMessage, string? Sha, string? MergeMethod);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(GitHubUser))]
[JsonSerializable(typeof(GitHubRepository))]
[JsonSerializable(typeof(GitHubContent))]
[JsonSerializable(typeof(List<GitHubContent>))]
[JsonSerializable(typeof(List<GitHubBranch>))]
[JsonSerializable(typeof(GitHubCommit))]
[JsonSerializable(typeof(List<GitHubCommit>))]
[JsonSerializable(typeof(GitHubSearch<GitHubCodeHit>))]
[JsonSerializable(typeof(GitHubSearch<GitHubRepository>))]
[JsonSerializable(typeof(GitHubSearch<GitHubIssue>))]
[JsonSerializable(typeof(GitHubIssue))]
[JsonSerializable(typeof(CachedResponse))]
[JsonSerializable(typeof(List<GitHubIssue>))]
[JsonSerializable(typeof(GitHubComment))]
[JsonSerializable(typeof(List<GitHubComment>))]
[JsonSerializable(typeof(GitHubPullRequest))]
[JsonSerializable(typeof(List<GitHubPullRequest>))]
[JsonSerializable(typeof(List<GitHubFile>))]
[JsonSerializable(typeof(List<GitHubReview>))]
[JsonSerializable(typeof(GitHubMergeResult))]
[JsonSerializable(typeof(GitHubWorkflowRun))]
[JsonSerializable(typeof(GitHubWorkflowRuns))]
[JsonSerializable(typeof(GitHubJobs))]
[JsonSerializable(typeof(GitHubInstallationToken))]
[JsonSerializable(typeof(GitHubError))]
[JsonSerializable(typeof(CreateIssueRequest))]
[JsonSerializable(typeof(UpdateIssueRequest))]
[JsonSerializable(typeof(CommentRequest))]
[JsonSerializable(typeof(CreatePullRequestRequest))]
[JsonSerializable(typeof(MergeRequest))]
internal sealed partial class GitHubJson : JsonSerializerContext;
