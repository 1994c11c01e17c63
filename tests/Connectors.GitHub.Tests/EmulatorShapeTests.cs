using System.Net.Http.Headers;

namespace Connectors.GitHub.Tests;

/// <summary>
/// The emulator answers with the fields GitHub documents, including those our server ignores: the Node reference server
/// the benchmarks compare with validates them strictly, and a missing field there is a failed call, not a figure.
/// Each test has its own emulator: the shared one's pull requests are merged and changed by other tests.
/// </summary>
public sealed class EmulatorShapeTests
{
    [Fact]
    public async Task A_pull_request_carries_its_urls_reviewers_and_full_head_and_base_repositories()
    {
        await using var emulator = await GitHubEmulator.StartAsync();
        using var pull = await GetAsync(emulator, "repos/octo-org/widgets/pulls/4");
        var root = pull.RootElement;
        Assert.EndsWith("/pull/4.patch", root.GetProperty("patch_url").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/issues/4", root.GetProperty("issue_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("requested_reviewers").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("assignee").ValueKind);
        foreach (var side in new[] { "head", "base" })
        {
            var reference = root.GetProperty(side);
            Assert.Equal("octo-org", reference.GetProperty("user").GetProperty("login").GetString());
            Assert.Equal("https://github.com/octo-org/widgets.git", reference.GetProperty("repo").GetProperty("clone_url").GetString());
            Assert.Equal("main", reference.GetProperty("repo").GetProperty("default_branch").GetString());
        }
    }

    [Fact]
    public async Task Contents_and_pull_request_files_carry_their_links()
    {
        await using var emulator = await GitHubEmulator.StartAsync();
        using var file = await GetAsync(emulator, "repos/octo-org/widgets/contents/src/Widget.cs");
        Assert.Equal("https://raw.githubusercontent.com/octo-org/widgets/main/src/Widget.cs", file.RootElement.GetProperty("download_url").GetString());
        Assert.Equal(file.RootElement.GetProperty("url").GetString(), file.RootElement.GetProperty("_links").GetProperty("self").GetString());

        using var directory = await GetAsync(emulator, "repos/octo-org/widgets/contents/src");
        var entry = directory.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Widget.cs");
        Assert.Contains("/git/blobs/", entry.GetProperty("git_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(40, entry.GetProperty("sha").GetString()!.Length);

        using var files = await GetAsync(emulator, "repos/octo-org/widgets/pulls/4/files");
        var changed = files.RootElement.EnumerateArray().Single();
        Assert.Contains("/blob/", changed.GetProperty("blob_url").GetString(), StringComparison.Ordinal);
        Assert.Contains("/raw/", changed.GetProperty("raw_url").GetString(), StringComparison.Ordinal);
        Assert.Contains("/contents/src/Size.cs?ref=", changed.GetProperty("contents_url").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonDocument> GetAsync(GitHubEmulator emulator, string path)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.Url, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GitHubFixture.Token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
