using System.Globalization;
using System.Text;
using Connectors.Filesystem.Native;
using ModelContextProtocol;

namespace Connectors.Filesystem.Tools;

/// <summary>Searches over a tree: names by glob, contents by literal or regular expression.</summary>
[McpServerToolType]
public sealed class SearchTools(PathGuard guard, OutputBudget budget, FilesystemLimits limits)
{
    [McpServerTool(Name = "search_files", Title = "Search files", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(FileSearchResult))]
    [Description("Finds files and directories whose path, relative to the search directory, matches a glob: '*.cs' matches the top level only, '**/*.cs' any depth. Returns full paths in name order.")]
    public CallToolResult SearchFiles(
        [Description("Directory to search.")] string path,
        [Description("Glob over the relative path, e.g. **/*.cs, src/**/test_*.py, *.{json,yaml}.")] string pattern,
        [Description("Globs of paths to leave out, e.g. node_modules or **/*.min.js (a name matches at any depth).")] string[]? excludePatterns = null,
        [Description("Skip this many matches (to continue a cut result). Default 0.")] int offset = 0,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (offset < 0)
        {
            throw ConnectorException.InvalidArgument(nameof(offset), "must be 0 or more.");
        }

        var glob = Glob.WholePath(pattern, nameof(pattern));
        var excluded = Glob.Filters(excludePatterns, nameof(excludePatterns));
        using var directory = guard.OpenDirectory(guard.Resolve(path));
        var report = new WalkProgress(progress);
        var matches = new List<string>();
        var total = 0;
        var seen = 0;
        foreach (var entry in TreeWalker.Walk(guard, directory, TreeWalker.MaxDepthLimit, (rel, name, _) => excluded.Any(g => g.IsMatchEntry(rel, name)), cancellationToken))
        {
            report.Report(++seen, "search_files");
            if (!glob.IsMatch(entry.Relative))
            {
                continue;
            }

            if (total++ >= offset && matches.Count < limits.MaxEntries)
            {
                matches.Add(PathGuard.Join(directory.Real.FullPath, entry.Relative));
            }
        }

        FileSearchResult Value(int shown) =>
            new(directory.Real.FullPath, pattern, matches[..shown], total, seen, offset + shown < total, offset + shown < total ? offset + shown : null);
        if (total == 0)
        {
            return TypedResults.Create($"No matches found for '{pattern}' under {directory.Real.FullPath} ({seen:N0} entries searched).", Value(0),
                FilesystemJsonContext.Default.FileSearchResult);
        }

        var text = new StringBuilder();
        foreach (var match in matches)
        {
            text.Append(match).Append('\n');
        }

        if (offset + matches.Count < total)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\n[{total:N0} matches; showing {offset + 1:N0}-{offset + matches.Count:N0}. Call search_files with offset={offset + matches.Count} for more, or narrow the pattern.]\n");
        }

        var shown = matches.Count;
        var fitted = budget.Fit(text.ToString(), cut =>
        {
            shown = Math.Min(shown, cut.KeptLines);
            return $"{total:N0} matches in all; call search_files with offset={offset + cut.KeptLines} for more, or narrow the pattern.";
        });
        return TypedResults.Create(fitted, Value(shown), FilesystemJsonContext.Default.FileSearchResult);
    }

    [McpServerTool(Name = "search_content", Title = "Search file contents", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(ContentSearchResult))]
    [Description("Searches text files under a directory for a literal or a regular expression, like grep -rn: path:line: text per matching line, with optional context. Skips binary files and, by default, .gitignore'd paths and .git, node_modules, bin, obj and the like.")]
    public async Task<CallToolResult> SearchContent(
        [Description("Directory to search.")] string path,
        [Description("Text to find (a literal unless regex is true).")] string pattern,
        [Description("Treat pattern as a .NET regular expression, matched line by line (linear-time engine).")] bool regex = false,
        [Description("Match without regard to case.")] bool ignore_case = false,
        [Description("Only search files whose path matches this glob, e.g. *.cs or src/**/*.ts (a name matches at any depth).")] string? file_pattern = null,
        [Description("Globs of paths to leave out, e.g. **/*.min.js or vendor.")] string[]? excludePatterns = null,
        [Description("Lines of context to show before and after each match (0-10). Default 0.")] int context_lines = 0,
        [Description("Most matching lines to return (1-1000). Default 100.")] int max_results = 100,
        [Description("Also search what is skipped by default (.gitignore'd paths, .git, node_modules and the like).")] bool include_ignored = false,
        [Description("Skip this many matching lines (to continue a cut result). Default 0.")] int offset = 0,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (context_lines is < 0 or > 10)
        {
            throw ConnectorException.InvalidArgument(nameof(context_lines), "must be between 0 and 10.");
        }

        if (max_results is < 1 or > 1000)
        {
            throw ConnectorException.InvalidArgument(nameof(max_results), "must be between 1 and 1000.");
        }

        if (offset < 0)
        {
            throw ConnectorException.InvalidArgument(nameof(offset), "must be 0 or more.");
        }

        var matcher = LineMatcher.Create(pattern, regex, ignore_case);
        var fileGlob = file_pattern is null ? null : Glob.Filter(file_pattern, nameof(file_pattern));
        var excluded = Glob.Filters(excludePatterns, nameof(excludePatterns));
        using var directory = guard.OpenDirectory(guard.Resolve(path));
        var ignore = include_ignored ? null : new GitIgnore(guard, directory.Real.Root);
        var prefix = directory.Real.Relative;

        bool Skip(string relative, string name, bool isDirectory)
        {
            if (excluded.Any(g => g.IsMatchEntry(relative, name)))
            {
                return true;
            }

            if (ignore is null)
            {
                return false;
            }

            return (isDirectory && GitIgnore.BuiltInIgnoredNames.Contains(name))
                || ignore.IsIgnored(prefix.Length == 0 ? relative : prefix + "/" + relative, isDirectory);
        }

        var search = new ContentSearch(matcher, context_lines, offset + max_results + 1);
        var report = new WalkProgress(progress);
        var seen = 0;
        var files = TreeWalker.Walk(guard, directory, TreeWalker.MaxDepthLimit, Skip, cancellationToken)
            .Where(e => e.Kind == FileKind.File && (fileGlob?.IsMatch(e.Relative) ?? true))
            .Select(e =>
            {
                report.Report(++seen, "search_content");
                return e;
            });
        var outcome = await search.RunAsync(files, cancellationToken);

        return Format(outcome, directory.Real.FullPath, pattern, offset, max_results, include_ignored);
    }

    private CallToolResult Format(ContentSearch.Outcome outcome, string directory, string pattern, int offset, int maxResults, bool includeIgnored)
    {
        var skipped = new List<string>();
        if (outcome.BinaryFiles > 0)
        {
            skipped.Add($"{outcome.BinaryFiles:N0} binary");
        }

        if (outcome.LargeFiles > 0)
        {
            skipped.Add($"{outcome.LargeFiles:N0} over {ContentSearch.MaxFileBytes / (1024 * 1024)} MB");
        }

        var scope = $"{outcome.FilesSearched:N0} files searched under {directory}"
            + (skipped.Count > 0 ? $"; skipped {string.Join(", ", skipped)}" : "")
            + (includeIgnored ? "" : "; .gitignore'd paths and .git/node_modules/bin/obj left out (include_ignored=true searches them)");

        var total = outcome.Matches.Count;
        var hits = new List<ContentHit>();
        CallToolResult Result(string text, bool more) => TypedResults.Create(text,
            new ContentSearchResult(directory, pattern, hits, total, outcome.FilesSearched, outcome.BinaryFiles, outcome.LargeFiles, more, more ? offset + hits.Count : null),
            FilesystemJsonContext.Default.ContentSearchResult);
        if (total <= offset)
        {
            return Result(total == 0 && !outcome.Stopped
                ? $"No matches for '{pattern}' ({scope})."
                : $"No matches after offset {offset:N0} ({total:N0} in all; {scope}).", false);
        }

        var text = new StringBuilder();
        var shown = 0;
        var byteLimit = budget.MaxBytes - 600;
        string? lastFile = null;
        var lastLine = 0;
        foreach (var match in outcome.Matches.Skip(offset).Take(maxResults))
        {
            var block = new StringBuilder();
            var file = PathGuard.Join(directory, match.Relative);
            if (lastFile is not null && (file != lastFile || match.Lines[0].Number > lastLine + 1))
            {
                block.Append("--\n");
            }

            foreach (var line in match.Lines.Where(l => l.Number > (file == lastFile ? lastLine : 0)))
            {
                block.Append(file).Append(line.IsMatch ? ':' : '-').Append(line.Number).Append(line.IsMatch ? ':' : '-').Append(' ').Append(line.Text).Append('\n');
            }

            if (Encoding.UTF8.GetByteCount(text.ToString()) + Encoding.UTF8.GetByteCount(block.ToString()) > byteLimit && shown > 0)
            {
                break;
            }

            text.Append(block);
            hits.Add(new ContentHit(file, [.. match.Lines.Select(l => new ContentLine(l.Number, l.Text, l.IsMatch))]));
            shown++;
            lastFile = file;
            lastLine = match.Lines[^1].Number;
        }

        var more = offset + shown < total || outcome.Stopped;
        text.Append('\n').Append(more
            ? $"[Showing matches {offset + 1:N0}-{offset + shown:N0}; there are more. Call search_content with offset={offset + shown} to continue, or narrow the search with file_pattern or a more specific pattern. {scope}.]"
            : $"[{total:N0} matching lines ({scope}).]").Append('\n');
        return Result(text.ToString(), more);
    }
}
