using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

// The routing: each REST path to its handler, answered under the state's lock.
public sealed partial class GitHubEmulator
{
    private const string Web = "https://github.com";

    private async Task<Reply> DispatchAsync(HttpContext context, string[] s, EmulatedToken token)
    {
        var request = context.Request;
        var method = request.Method;
        var body = method is "POST" or "PATCH" or "PUT" ? await ReadBodyAsync(request) : null;
        lock (State.Gate)
        {
            switch (s)
            {
                case ["user"] when method == "GET":
                    return Reply.Ok(UserJson(token.Login, full: true));
                case ["search", "code"] when method == "GET":
                    return SearchCode(request, token);
                case ["search", "repositories"] when method == "GET":
                    return SearchRepositories(request, token);
                case ["search", "issues"] when method == "GET":
                    return SearchIssues(request, token);
            }

            if (s is not ["repos", var owner, var name, ..])
            {
                return Reply.Error(404, "Not Found");
            }

            var repo = State.FindRepository(owner, name);
            if (repo is null || (repo.Private && !token.SeesPrivate))
            {
                return Reply.Error(404, "Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository");
            }

            if (method != "GET" && token.ReadOnly)
            {
                var denied = Reply.Error(403, "Resource not accessible by personal access token", "https://docs.github.com/rest");
                denied.Headers["X-Accepted-GitHub-Permissions"] = s.Length > 3 && s[3] == "pulls" ? "pull_requests=write" : "issues=write";
                return denied;
            }

            var rest = s[3..];
            switch (rest)
            {
                case [] when method == "GET":
                    return Reply.Ok(RepoJson(repo, token));
                case ["contents", ..] when method == "GET":
                    return Contents(repo, string.Join('/', rest[1..]), request.Query["ref"]);
                case ["branches"] when method == "GET":
                    return Paged(request, repo.Branches.OrderBy(b => b.Key, StringComparer.Ordinal)
                        .Select(b => (JsonNode)new JsonObject { ["name"] = b.Key, ["commit"] = new JsonObject { ["sha"] = b.Value, ["url"] = $"{Url}repos/{repo.FullName}/commits/{b.Value}" }, ["protected"] = b.Key == repo.DefaultBranch }).ToList());
                case ["commits"] when method == "GET":
                    return ListCommits(request, repo);
                case ["commits", var reference] when method == "GET":
                    return repo.Resolve(reference) is { } commit ? Reply.Ok(CommitJson(repo, commit, detailed: true)) : Reply.Error(422, $"No commit found for SHA: {reference}");
                case ["issues"] when method == "GET":
                    return ListIssues(request, repo);
                case ["issues"] when method == "POST":
                    return CreateIssue(repo, body!, token);
                case ["issues", var n] when method == "GET":
                    return FindIssue(repo, n) is { } issue ? Reply.Ok(IssueJson(repo, issue)) : Reply.Error(404, "Not Found");
                case ["issues", var n] when method == "PATCH":
                    return FindIssue(repo, n) is { } toUpdate ? UpdateIssue(repo, toUpdate, body!) : Reply.Error(404, "Not Found");
                case ["issues", var n, "comments"] when method == "GET":
                    return FindIssue(repo, n) is { } commented ? Paged(request, commented.Comments.Select(c => CommentJson(repo, commented, c)).ToList()) : Reply.Error(404, "Not Found");
                case ["issues", var n, "comments"] when method == "POST":
                    return FindIssue(repo, n) is { } target ? AddComment(repo, target, body!, token) : Reply.Error(404, "Not Found");
                case ["pulls"] when method == "GET":
                    return ListPulls(request, repo);
                case ["pulls"] when method == "POST":
                    return CreatePull(repo, body!, token);
                case ["pulls", var n] when method == "GET":
                    return FindPull(repo, n) is not { } pull ? Reply.Error(404, "Not Found")
                        : request.Headers.Accept.ToString().Contains("application/vnd.github.diff", StringComparison.Ordinal)
                            ? new Reply(200) { Text = Diff(repo, pull), ContentType = "application/vnd.github.diff; charset=utf-8" }
                            : Reply.Ok(PullJson(repo, pull));
                case ["pulls", var n, "files"] when method == "GET":
                    return FindPull(repo, n) is { } withFiles ? Paged(request, FileChanges(repo, withFiles).Select(f => f.Json).ToList()) : Reply.Error(404, "Not Found");
                case ["pulls", var n, "reviews"] when method == "GET":
                    return FindPull(repo, n) is { } reviewed ? Paged(request, reviewed.Reviews.Select(r => ReviewJson(repo, reviewed, r)).ToList()) : Reply.Error(404, "Not Found");
                case ["pulls", var n, "merge"] when method == "PUT":
                    return FindPull(repo, n) is { } toMerge ? Merge(repo, toMerge, body!) : Reply.Error(404, "Not Found");
                case ["actions", "runs"] when method == "GET":
                    return ListRuns(request, repo);
                case ["actions", "runs", var id] when method == "GET":
                    return repo.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == id) is { } run ? Reply.Ok(RunJson(repo, run)) : Reply.Error(404, "Not Found");
                case ["actions", "runs", var id, "jobs"] when method == "GET":
                    return repo.Runs.FirstOrDefault(r => r.Id.ToString(CultureInfo.InvariantCulture) == id) is { } withJobs
                        ? PagedEnvelope(request, "jobs", withJobs.Jobs.Select(j => JobJson(repo, withJobs, j)).ToList())
                        : Reply.Error(404, "Not Found");
                case ["actions", "jobs", var id, "logs"] when method == "GET":
                    return repo.Runs.SelectMany(r => r.Jobs).FirstOrDefault(j => j.Id.ToString(CultureInfo.InvariantCulture) == id) is { } job
                        ? new Reply(302) { Location = $"{Url}_blob/logs/{job.Id}?sig={LogSignature(job.Id)}" }
                        : Reply.Error(404, "Not Found");
                default:
                    return Reply.Error(404, "Not Found");
            }
        }
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        return JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject ?? throw new JsonException("not an object");
    }
}
