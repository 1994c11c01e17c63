using Connectors.Testing.GitHub;

namespace Connectors.Bench;

/// <summary>
/// The GitHub workload (issues 7 and 10): our server and the Node reference server against the GitHub emulator holding a
/// generated repository (150 files, 40 commits, 250 issues with comments, 50 pull requests), measured in the same run.
/// Writes bench/results/github.{csv,md}.
/// </summary>
internal static class GitHubWorkload
{
    public const string Token = "ghp_reader";
    private const string Owner = "bench-org";
    private const string Name = "service";
    internal const string Repo = Owner + "/" + Name;

    public static async Task<int> RunAsync(string[] args)
    {
        await using var emulator = await StartEmulatorAsync();
        return await ApiWorkload.RunAsync(args, "github", "GitHub workload (emulator, generated repository)", c => Ours(emulator, c), c => Reference(emulator, c),
            Cases, Session, new UpstreamCounter(() => emulator.RequestsServed, () => emulator.NotModifiedServed));
    }

    /// <summary>The emulator with the generated repository and budgets too large to run out: the benchmark measures servers, not GitHub's limits.</summary>
    public static async Task<GitHubEmulator> StartEmulatorAsync()
    {
        var emulator = await GitHubEmulator.StartAsync(Generate());
        foreach (var budget in emulator.RateLimits.Values)
        {
            budget.Limit = budget.Remaining = 100_000_000;
        }

        return emulator;
    }

    // Every toolset: the workload reads commits (explore, off by default) and compares with the reference's full list.
    public static ServerUnderTest Ours(GitHubEmulator emulator, IReadOnlyList<string> command) =>
        new(Who.Connectors, [.. command, "--api-url", emulator.Url.ToString(), "--toolsets", "all"], new Dictionary<string, string> { ["GITHUB_TOKEN"] = Token });

    private static ServerUnderTest Reference(GitHubEmulator emulator, IReadOnlyList<string> command) =>
        new(Who.Reference, command, new Dictionary<string, string>
        {
            ["GITHUB_PERSONAL_ACCESS_TOKEN"] = Token,
            ["NODE_OPTIONS"] = "--require " + Path.GetFullPath("bench/node/redirect-fetch.cjs"),
            ["BENCH_REDIRECT"] = "https://api.github.com/=" + emulator.Url,
        });

    /// <summary>A read the HTTP workload repeats: one issue with its comments.</summary>
    public static readonly (string Tool, object Arguments) RepresentativeRead = ("get_issue", new { repo = Repo, issue_number = 7 });

    private static readonly ToolCase[] Cases =
    [
        new("get_issue", "get_issue", new { repo = Repo, issue_number = 7 }, "get_issue", new { owner = Owner, repo = Name, issue_number = 7 }),
        new("list_issues (30 open)", "list_issues", new { repo = Repo, per_page = 30 }, "list_issues", new { owner = Owner, repo = Name, per_page = 30 }),
        new("list_pull_requests (30 open)", "list_pull_requests", new { repo = Repo, per_page = 30 }, "list_pull_requests", new { owner = Owner, repo = Name, per_page = 30 }),
        new("get_pull_request", "get_pull_request", new { repo = Repo, pull_number = 260 }, "get_pull_request", new { owner = Owner, repo = Name, pull_number = 260 }),
        new("get_file_contents (file)", "get_file_contents", new { repo = Repo, path = "src/Module03/File07.cs" }, "get_file_contents", new { owner = Owner, repo = Name, path = "src/Module03/File07.cs" }),
        new("get_file_contents (directory)", "get_file_contents", new { repo = Repo, path = "src/Module03" }, "get_file_contents", new { owner = Owner, repo = Name, path = "src/Module03" }),
        new("list_commits (30)", "list_commits", new { repo = Repo, per_page = 30 }, "list_commits", new { owner = Owner, repo = Name, perPage = 30 }),
        new("search_issues", "search_issues", new { query = $"repo:{Repo} is:issue timeout" }, "search_issues", new { q = $"repo:{Repo} is:issue timeout" }),
        new("search_code", "search_code", new { query = $"repo:{Repo} RetryPolicy" }, "search_code", new { q = $"repo:{Repo} RetryPolicy" }),
        new("get_commit (with patches)", "get_commit", new { repo = Repo, sha = "main" }),
        new("get_pull_request_diff", "get_pull_request_diff", new { repo = Repo, pull_number = 260 }),
    ];

    /// <summary>A triage session: look around, read a few issues and files, come back to some of them (repeats exercise ETags).</summary>
    private static readonly ToolCase[] Session =
    [
        Cases[1],
        Cases[0],
        new("get_issue 12", "get_issue", new { repo = Repo, issue_number = 12 }, "get_issue", new { owner = Owner, repo = Name, issue_number = 12 }),
        Cases[7],
        Cases[2],
        Cases[3],
        new("get_pull_request_files", "get_pull_request_files", new { repo = Repo, pull_number = 260 }, "get_pull_request_files", new { owner = Owner, repo = Name, pull_number = 260 }),
        Cases[5],
        Cases[4],
        Cases[6],
        Cases[0],
        Cases[1],
        Cases[4],
        Cases[3],
    ];

    /// <summary>A deterministic repository of realistic size next to the emulator's sample (which keeps its tokens and users).</summary>
    private static GitHubState Generate()
    {
        var state = GitHubState.Sample();
        var random = new Random(7);
        string[] words = ["retry", "cache", "widget", "timeout", "parser", "config", "handler", "queue", "token", "render", "schema", "client"];
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));
        string[] people = ["mona", "hubot", "stranger"];

        var repo = new EmulatedRepository(Owner, Name, state.NextId()) { Description = "A generated service repository", Language = "C#", Stars = 1200 };
        repo.Collaborators.UnionWith(["mona", "hubot"]);
        var files = new Dictionary<string, string>(StringComparer.Ordinal) { ["README.md"] = "# Service\n\n" + Words(200) + "\n" };
        for (var module = 0; module < 15; module++)
        {
            for (var file = 0; file < 10; file++)
            {
                var code = new StringBuilder($"namespace Service.Module{module:D2};\n\npublic sealed class File{file:D2}\n{{\n");
                for (var line = 0; line < 60; line++)
                {
                    code.Append(CultureInfo.InvariantCulture, $"    // {Words(8)}\n");
                }

                if (file == 7)
                {
                    code.Append("    public RetryPolicy Policy { get; } = RetryPolicy.Default;\n");
                }

                files[$"src/Module{module:D2}/File{file:D2}.cs"] = code.Append("}\n").ToString();
            }
        }

        repo.AddCommit(state, "main", "mona", "Initial import", files);
        for (var commit = 1; commit < 40; commit++)
        {
            var path = $"src/Module{commit % 15:D2}/File{commit % 10:D2}.cs";
            repo.AddCommit(state, "main", people[commit % 2], $"Tune {Words(3)}\n\n{Words(20)}", new() { [path] = repo.Resolve("main")!.Tree[path] + $"// change {commit}\n" });
        }

        for (var number = 1; number <= 250; number++)
        {
            var issue = new EmulatedIssue(number, $"{Words(5)} #{number}", people[number % 3], state.NextId())
            {
                Body = $"{Words(60)}\n\nSteps:\n1. {Words(6)}\n2. {Words(6)}\n",
                Labels = number % 4 == 0 ? ["bug"] : ["enhancement"],
                State = number % 5 == 0 ? "closed" : "open",
            };
            for (var comment = 0; comment < number % 6; comment++)
            {
                issue.Comments.Add(new EmulatedComment(state.NextId(), people[(number + comment) % 3], Words(30)));
            }

            repo.Issues.Add(issue);
        }

        for (var number = 251; number <= 300; number++)
        {
            var branch = $"feature/f{number}";
            repo.Branches[branch] = repo.Branches["main"];
            var changes = Enumerable.Range(0, 3).ToDictionary(i => $"src/Module{(number + i) % 15:D2}/File{i:D2}.cs", i => repo.Resolve("main")!.Tree[$"src/Module{(number + i) % 15:D2}/File{i:D2}.cs"] + $"// {Words(10)}\n", StringComparer.Ordinal);
            repo.AddCommit(state, branch, "hubot", $"Feature {number}", changes);
            var pull = new EmulatedPullRequest(number, $"Feature {number}: {Words(4)}", "hubot", state.NextId(), branch, "main") { Body = Words(80) };
            pull.Reviews.Add(new EmulatedReview(state.NextId(), "mona", "COMMENTED", Words(15)));
            repo.Issues.Add(pull);
        }

        state.Repositories.Add(repo);
        return state;
    }
}
