using System.Text;
using System.Text.Json.Nodes;

namespace Connectors.Testing.GitHub;

// The file changes and unified diffs of a pull request.
public sealed partial class GitHubEmulator
{
    private sealed record FileChange(string Path, int Additions, int Deletions, string Patch, JsonNode Json);

    private FileChange Change(EmulatedRepository repo, string reference, string path, string? before, string? after)
    {
        var oldLines = before is null ? [] : before.TrimEnd('\n').Split('\n');
        var newLines = after is null ? [] : after.TrimEnd('\n').Split('\n');
        var common = oldLines.Intersect(newLines).ToHashSet(StringComparer.Ordinal);
        var removed = oldLines.Where(l => !common.Contains(l)).ToList();
        var added = newLines.Where(l => !common.Contains(l)).ToList();
        var patch = new StringBuilder($"@@ -{(oldLines.Length == 0 ? 0 : 1)},{oldLines.Length} +{(newLines.Length == 0 ? 0 : 1)},{newLines.Length} @@\n");
        foreach (var line in oldLines.Where(l => common.Contains(l)).Take(0))
        {
            patch.Append(' ').Append(line).Append('\n');
        }

        foreach (var line in oldLines)
        {
            patch.Append(common.Contains(line) ? ' ' : '-').Append(line).Append('\n');
        }

        foreach (var line in added)
        {
            patch.Append('+').Append(line).Append('\n');
        }

        var status = before is null ? "added" : after is null ? "removed" : "modified";
        var json = new JsonObject
        {
            ["sha"] = GitHubState.ObjectId(after ?? ""),
            ["filename"] = path,
            ["status"] = status,
            ["additions"] = added.Count,
            ["deletions"] = removed.Count,
            ["changes"] = added.Count + removed.Count,
            ["blob_url"] = $"{Web}/{repo.FullName}/blob/{reference}/{path}",
            ["raw_url"] = $"{Web}/{repo.FullName}/raw/{reference}/{path}",
            ["contents_url"] = $"{Url}repos/{repo.FullName}/contents/{path}?ref={reference}",
            ["patch"] = patch.ToString().TrimEnd('\n'),
        };
        return new FileChange(path, added.Count, removed.Count, patch.ToString(), json);
    }

    private List<FileChange> FileChanges(EmulatedRepository repo, EmulatedPullRequest pull)
    {
        var head = repo.Resolve(pull.Head)?.Tree ?? [];
        var @base = repo.Resolve(pull.Base)?.Tree ?? [];
        return head.Keys.Union(@base.Keys).Order(StringComparer.Ordinal)
            .Where(p => head.GetValueOrDefault(p) != @base.GetValueOrDefault(p))
            .Select(p => Change(repo, repo.Branches.GetValueOrDefault(pull.Head) ?? pull.Head, p, @base.GetValueOrDefault(p), head.GetValueOrDefault(p)))
            .ToList();
    }

    private string Diff(EmulatedRepository repo, EmulatedPullRequest pull)
    {
        var diff = new StringBuilder();
        foreach (var file in FileChanges(repo, pull))
        {
            diff.Append($"diff --git a/{file.Path} b/{file.Path}\n");
            diff.Append(file.Deletions == 0 && !file.Patch.Contains("\n ", StringComparison.Ordinal) && file.Patch.StartsWith("@@ -0,0", StringComparison.Ordinal) ? $"new file mode 100644\n--- /dev/null\n" : $"--- a/{file.Path}\n");
            diff.Append($"+++ b/{file.Path}\n").Append(file.Patch);
        }

        return diff.ToString();
    }
}
