using System.Text.RegularExpressions;

namespace Connectors.Distribution.Tests;

/// <summary>
/// Each server README's tools table is what eng/docs-tools.sh renders from that server's tools/list, and a server README
/// (packed into its NuGet package, where the repository's other folders do not exist) links nothing outside its folder.
/// </summary>
public sealed partial class DocsToolsTableTests
{
    [Fact]
    public async Task Every_server_readme_s_tools_table_is_what_the_running_server_lists()
    {
        var (exitCode, _, stderr) = await Repository.TryRunAsync(
            "bash", [Repository.PathOf("eng", "docs-tools.sh"), "--check"],
            new Dictionary<string, string> { ["DOCS_SKIP_BUILD"] = "1" }, TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"a server README's tools table is stale; run `bash eng/docs-tools.sh` and commit the READMEs.\n{stderr}");
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public void A_server_readme_links_only_absolute_addresses_or_its_own_folder(string key)
    {
        var readme = File.ReadAllText(Repository.PathOf("servers", Servers.Get(key).Project, "README.md"));
        var outside = RelativeLink().Matches(readme).Select(m => m.Value).Where(target => target.Contains("../", StringComparison.Ordinal));
        Assert.Empty(outside);
    }

    [GeneratedRegex(@"\]\((?!\w+://)[^)]*\)")]
    private static partial Regex RelativeLink();
}
