using System.Text.RegularExpressions;

namespace Connectors.Distribution.Tests;

/// <summary>
/// The configuration reference in docs/deploying.md is each server's --help as eng/docs-options.sh renders it, so the
/// documented options cannot drift from the ones the servers take.
/// </summary>
public sealed partial class DocsOptionsReferenceTests
{
    private const string Regenerate = "bash eng/docs-options.sh";

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_committed_reference_is_what_the_server_prints_for_help(string key)
    {
        var server = Servers.Get(key);
        var help = await ServerProcess.RunToExitAsync(server.Project, ["--help"]);
        Assert.Equal(0, help.ExitCode);

        var documented = DocumentedHelp(await File.ReadAllTextAsync(Repository.PathOf("docs", "deploying.md")), server.Command);

        Assert.True(
            Normalize(help.Stdout) == documented,
            $"docs/deploying.md's reference for {server.Command} differs from its --help; run `{Regenerate}` and commit docs/deploying.md.\n" +
            $"--- documented\n{documented}\n--- printed\n{Normalize(help.Stdout)}");
    }

    [Fact]
    public void Every_relative_link_in_the_documentation_names_a_file_that_exists()
    {
        var pages = new[] { "README.md", Path.Combine("deploy", "README.md") }
            .Concat(Directory.GetFiles(Repository.PathOf("docs"), "*.md").Select(p => Path.GetRelativePath(Repository.Root, p)))
            .Concat(Directory.GetDirectories(Repository.PathOf("servers")).Select(d => Path.Combine(Path.GetRelativePath(Repository.Root, d), "README.md")))
            .Where(p => File.Exists(Repository.PathOf(p)));
        var broken = new List<string>();
        foreach (var page in pages)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(Repository.PathOf(page))))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repository.PathOf(page))!, target));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{page}: {link.Value}");
                }
            }
        }

        Assert.Empty(broken);
    }

    /// <summary>The block between the server's markers, without the code fence; fails naming the markers when absent.</summary>
    private static string DocumentedHelp(string page, string command)
    {
        var begin = page.IndexOf($"<!-- options:{command} begin", StringComparison.Ordinal);
        var end = page.IndexOf($"<!-- options:{command} end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"docs/deploying.md has no options:{command} markers; add them and run `{Regenerate}`.");
        var block = page[(page.IndexOf('\n', begin) + 1)..end].Trim('\n');
        const string fence = "```";
        Assert.True(block.StartsWith(fence + "text\n", StringComparison.Ordinal) && block.EndsWith(fence, StringComparison.Ordinal),
            $"options:{command} in docs/deploying.md is not one text block; run `{Regenerate}`.");
        return block[(fence.Length + "text\n".Length)..^fence.Length].TrimEnd('\n');
    }

    /// <summary>What the script writes: trailing blanks of each line dropped, no trailing empty lines.</summary>
    private static string Normalize(string help) =>
        string.Join('\n', help.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd())).TrimEnd('\n');

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
