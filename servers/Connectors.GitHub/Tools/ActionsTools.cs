using System.Text;
using Connectors.GitHub.Api;

namespace Connectors.GitHub.Tools;

/// <summary>GitHub Actions: workflow runs, their jobs, and the tail of job logs.</summary>
[McpServerToolType]
internal sealed class ActionsTools(GitHubClient client, OutputBudget budget)
{
    private const int DefaultTail = 100;

    [McpServerTool(Name = "list_workflow_runs", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(RunList))]
    [Description("Workflow runs, newest first.")]
    public async Task<CallToolResult> ListWorkflowRuns(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Only runs on this branch")] string? branch = null,
        [Description("Status or conclusion, e.g. failure, in_progress")] string? status = null,
        [Description("Page")] int page = 1,
        [Description("Max 100")] int per_page = 30,
        CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder(GitHubGuard.Paging(page, per_page));
        if (branch is not null)
        {
            query.Append("&branch=").Append(GitHubGuard.Ref(branch, nameof(branch)));
        }

        if (status is not null)
        {
            query.Append("&status=").Append(GitHubGuard.Ref(status, nameof(status)));
        }

        var response = await client.GetAsync($"{GitHubGuard.Repo(repo)}/actions/runs?{query}", GitHubJson.Default.GitHubWorkflowRuns, $"workflow runs of {repo}", cancellationToken);
        var text = new ToolText(budget);
        text.Line($"{response.Value.TotalCount} runs match.");
        var runs = response.Value.WorkflowRuns.Select(run => RunLine(text, run)).ToList();
        var shown = text.Finish(ToolText.More(response.HasNextPage, page, "runs"));
        return TypedResults.Create(shown, new RunList(runs, response.Value.TotalCount, ToolText.NextPage(response.HasNextPage, page), text.Cut), GitHubResultsJson.Default.RunList);
    }

    [McpServerTool(Name = "get_workflow_run", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(RunResult))]
    [Description("A run with its jobs (ids for get_job_logs) and failed steps.")]
    public async Task<CallToolResult> GetWorkflowRun(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Run id")] long run_id,
        CancellationToken cancellationToken = default)
    {
        var path = $"{GitHubGuard.Repo(repo)}/actions/runs/{GitHubGuard.Id(run_id, nameof(run_id))}";
        var run = (await client.GetAsync(path, GitHubJson.Default.GitHubWorkflowRun, $"workflow run {run_id} of {repo}", cancellationToken)).Value;
        var jobs = await client.GetAsync($"{path}/jobs?per_page=100", GitHubJson.Default.GitHubJobs, $"jobs of run {run_id}", cancellationToken);
        var text = new ToolText(budget);
        var item = RunLine(text, run);
        text.Line().Line($"Jobs ({jobs.Value.TotalCount}):");
        var shownJobs = new List<JobItem>();
        foreach (var job in jobs.Value.Jobs)
        {
            var name = text.Inline(job.Name);
            text.Line($"- {name} (job id {job.Id}): {job.Conclusion ?? job.Status} · {job.HtmlUrl}");
            var failed = new List<FailedStep>();
            foreach (var step in job.Steps?.Where(s => s.Conclusion == "failure") ?? [])
            {
                failed.Add(new FailedStep(step.Number, text.Inline(step.Name)));
                text.Line($"    failed step {step.Number}: {failed[^1].Name}");
            }

            shownJobs.Add(new JobItem(job.Id, name, job.Status, job.Conclusion, job.HtmlUrl, failed));
        }

        var shown = text.Finish(jobs.HasNextPage ? "More than 100 jobs: the rest are on the run's page." : null);
        return TypedResults.Create(shown, new RunResult(item, shownJobs, jobs.Value.TotalCount, text.Cut), GitHubResultsJson.Default.RunResult);
    }

    [McpServerTool(Name = "get_job_logs", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("The last lines of a job log, or of each (failed) job in a run.")]
    public async Task<string> GetJobLogs(
        [Description(GitHubGuard.RepoDescription)] string repo,
        [Description("Job id")] long? job_id = null,
        [Description("Run id: logs of its jobs instead")] long? run_id = null,
        [Description("With run_id: failed jobs only")] bool? failed_only = null,
        [Description("Lines from the end (default 100, max 5000)")] int? tail_lines = null,
        CancellationToken cancellationToken = default)
    {
        var repoPath = GitHubGuard.Repo(repo);
        if ((job_id is null) == (run_id is null))
        {
            throw ConnectorException.InvalidArgument(nameof(job_id), "give job_id, or run_id (optionally with failed_only), not both.");
        }

        if (tail_lines is < 1 or > 5000)
        {
            throw ConnectorException.InvalidArgument(nameof(tail_lines), "from 1 to 5000.");
        }

        var jobs = new List<(long Id, string Name)>();
        if (job_id is { } single)
        {
            jobs.Add((GitHubGuard.Id(single, nameof(job_id)), $"job {single}"));
        }
        else
        {
            var listed = await client.GetAsync($"{repoPath}/actions/runs/{GitHubGuard.Id(run_id!.Value, nameof(run_id))}/jobs?per_page=100", GitHubJson.Default.GitHubJobs, $"jobs of run {run_id}", cancellationToken);
            jobs.AddRange(listed.Value.Jobs.Where(j => failed_only != true || j.Conclusion == "failure").Select(j => (j.Id, $"{j.Name} (job {j.Id}, {j.Conclusion ?? j.Status})")));
        }

        var text = new ToolText(budget);
        if (jobs.Count == 0)
        {
            return text.Line(failed_only == true ? "No failed jobs in this run." : "This run has no jobs.").Finish();
        }

        var tail = tail_lines ?? DefaultTail;
        foreach (var (id, name) in jobs)
        {
            var log = await client.GetTextAsync($"{repoPath}/actions/jobs/{id}/logs", $"the log of job {id}", cancellationToken);
            var lines = text.Plain(log).TrimEnd('\n').Split('\n');
            text.Line($"== {text.Inline(name)}: last {Math.Min(tail, lines.Length)} of {lines.Length} lines ==");
            foreach (var line in lines.Skip(Math.Max(0, lines.Length - tail)))
            {
                text.Line(line.TrimEnd('\r'));
            }
        }

        return text.Finish(howToContinue: "Ask for fewer tail_lines, or one job_id at a time.");
    }

    private static RunItem RunLine(ToolText text, GitHubWorkflowRun run)
    {
        var item = new RunItem(run.Id, text.Inline(run.Name), run.RunNumber, run.Status, run.Conclusion, text.Inline(run.DisplayTitle), run.Event,
            text.Inline(run.HeadBranch), run.HeadSha, run.CreatedAt, run.HtmlUrl);
        text.Line($"{item.Name} #{run.RunNumber} (run id {run.Id}) [{run.Conclusion ?? run.Status}] {item.Title}");
        text.Line($"  {run.Event} on {item.Branch} at {run.HeadSha[..Math.Min(12, run.HeadSha.Length)]} · {ToolText.Date(run.CreatedAt)} · {run.HtmlUrl}");
        return item;
    }
}
