using System.Net;
using System.Net.Http.Headers;
using System.Reflection.PortableExecutable;
using System.Text;
using Connectors.Testing;

namespace Connectors.Distribution.Tests;

/// <summary>Every server published by eng/publish.sh, the command the container image runs.</summary>
public sealed class PublishedServers : IAsyncLifetime
{
    private readonly string _work = System.IO.Directory.CreateTempSubdirectory("connectors-publish-").FullName;

    public string DirectoryOf(ShippedServer server) => Path.Combine(_work, server.Key);

    public async ValueTask InitializeAsync()
    {
        foreach (var server in Servers.All)
        {
            await Repository.RunAsync("bash", [Repository.PathOf("eng", "publish.sh"), server.Key, DirectoryOf(server)], timeout: TimeSpan.FromMinutes(15));
        }
    }

    public ValueTask DisposeAsync()
    {
        System.IO.Directory.Delete(_work, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedServersCollection : ICollectionFixture<PublishedServers>
{
    public const string Name = "published servers";
}

[Collection(PublishedServersCollection.Name)]
public sealed class PublishedServersTests(PublishedServers published)
{
    private const string ApiKey = "ci-distribution-key-0123456789";

    /// <summary>The environment deploy/docker/Dockerfile sets, with a free loopback port instead of 0.0.0.0:8080.</summary>
    private static Dictionary<string, string> ImageEnvironment(ShippedServer server) => new(server.Environment.ToDictionary())
    {
        ["CONNECTORS_TRANSPORT"] = "http",
        ["CONNECTORS_URLS"] = "http://127.0.0.1:0",
        ["CONNECTORS_AUTH"] = "api-key",
        ["CONNECTORS_API_KEYS"] = $"ci:{ApiKey}",
    };

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_published_server_starts_as_the_image_runs_it_and_answers_healthz(string key)
    {
        var server = Servers.Get(key);
        await using var process = await ServerProcess.StartHttpCommandAsync(Path.Combine(published.DirectoryOf(server), "server"), [], ImageEnvironment(server));
        using var http = new HttpClient();

        using var health = await http.GetAsync(new Uri(process.BaseUrl, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The image's HEALTHCHECK: the server binary probing itself.
        var (exitCode, _, _) = await Repository.TryRunAsync(Path.Combine(published.DirectoryOf(server), "server"), ["healthcheck", "--url", new Uri(process.BaseUrl, "/healthz").ToString()]);
        Assert.Equal(0, exitCode);
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_published_server_requires_an_api_key_and_serves_tools_with_one(string key)
    {
        var server = Servers.Get(key);
        await using var process = await ServerProcess.StartHttpCommandAsync(Path.Combine(published.DirectoryOf(server), "server"), [], ImageEnvironment(server));
        using var http = new HttpClient();

        using var anonymous = await http.SendAsync(ToolsList(process.McpUrl, key: null));
        using var authorized = await http.SendAsync(ToolsList(process.McpUrl, ApiKey));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Contains("\"tools\"", await authorized.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public void The_published_server_is_precompiled_and_carries_no_debug_symbols(string key)
    {
        var server = Servers.Get(key);
        var directory = published.DirectoryOf(server);

        using var assembly = new PEReader(File.OpenRead(Path.Combine(directory, server.Project + ".dll")));
        Assert.True(assembly.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "not ReadyToRun");
        Assert.Empty(System.IO.Directory.GetFiles(directory, "*.pdb"));
    }

    [Fact]
    public async Task Healthcheck_fails_when_nothing_answers()
    {
        var (exitCode, _, stderr) = await Repository.TryRunAsync(
            Path.Combine(published.DirectoryOf(Servers.Get("filesystem")), "server"), ["healthcheck", "--url", "http://127.0.0.1:1/healthz"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("did not answer", stderr, StringComparison.Ordinal);
    }

    private static HttpRequestMessage ToolsList(Uri url, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
