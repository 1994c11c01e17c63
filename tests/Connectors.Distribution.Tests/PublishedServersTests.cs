using System.Net.Http.Headers;

namespace Connectors.Distribution.Tests;

/// <summary>
/// Every server published by eng/publish.sh (Native AOT), the command the container image runs. eng/test.sh publishes
/// them once for the whole run and names the folder in <see cref="Variable"/>; without it this fixture publishes them.
/// </summary>
public sealed class PublishedServers : IAsyncLifetime
{
    public const string Variable = "CONNECTORS_PUBLISHED_SERVERS";

    private readonly string? _given = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? given : null;
    private string? _work;
    private string? _stdioOnlyWork;

    public const string StdioOnlyVariable = "CONNECTORS_STDIO_ONLY_SERVERS";

    public string DirectoryOf(ShippedServer server) => Path.Combine(_given ?? _work!, server.Project);

    /// <summary>The server published with <c>eng/publish.sh --stdio-only</c>: by eng/test.sh (<see cref="StdioOnlyVariable"/>), else here.</summary>
    public async Task<string> StdioOnlyDirectoryAsync(ShippedServer server)
    {
        if (Environment.GetEnvironmentVariable(StdioOnlyVariable) is { Length: > 0 } given)
        {
            return Path.Combine(given, server.Project);
        }

        _stdioOnlyWork ??= System.IO.Directory.CreateTempSubdirectory("connectors-publish-stdio-").FullName;
        var directory = Path.Combine(_stdioOnlyWork, server.Project);
        if (!System.IO.Directory.Exists(directory))
        {
            await Repository.RunAsync("bash", [Repository.PathOf("eng", "publish.sh"), "--stdio-only", server.Key, directory], timeout: TimeSpan.FromMinutes(15));
        }

        return directory;
    }

    public async ValueTask InitializeAsync()
    {
        if (_given is not null)
        {
            return;
        }

        _work = System.IO.Directory.CreateTempSubdirectory("connectors-publish-").FullName;
        foreach (var server in Servers.All)
        {
            await Repository.RunAsync("bash", [Repository.PathOf("eng", "publish.sh"), server.Key, DirectoryOf(server)], timeout: TimeSpan.FromMinutes(15));
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var work in new[] { _work, _stdioOnlyWork })
        {
            if (work is not null)
            {
                System.IO.Directory.Delete(work, recursive: true);
            }
        }

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
    public void The_published_server_is_one_native_executable_with_no_managed_assembly_and_no_debug_symbols(string key)
    {
        var server = Servers.Get(key);
        var directory = published.DirectoryOf(server);
        var executable = Path.Combine(directory, server.Project);

        var elf = Elf.Read(executable);
        Assert.True(elf.IsExecutable, $"ELF type {elf.Type}");
        Assert.DoesNotContain(".debug_info", elf.SectionNames);
        Assert.Empty(System.IO.Directory.GetFiles(directory, "*.dll"));
        Assert.Empty(System.IO.Directory.GetFiles(directory, "*.pdb"));
        Assert.Empty(System.IO.Directory.GetFiles(directory, "*.dbg"));
        Assert.False(File.Exists(Path.Combine(directory, server.Project + ".runtimeconfig.json")), "a runtime configuration: not Native AOT");
    }

    [Fact]
    public async Task The_native_database_server_refuses_a_SQL_Server_profile_and_names_the_framework_dependent_build()
    {
        var server = Servers.Get("database");
        var (exitCode, _, stderr) = await Repository.TryRunAsync(Path.Combine(published.DirectoryOf(server), "server"), [], new Dictionary<string, string>
        {
            ["CONNECTORS_DATABASE_CONNECTION_STRING"] = "Server=erp,1433;Database=erp;User ID=reader;Password=never-printed-0123",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("no SQL Server support", stderr, StringComparison.Ordinal);
        Assert.Contains("eng/publish.sh --r2r database DIR", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("never-printed-0123", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stdio_only_build_is_a_third_smaller_serves_stdio_and_refuses_http_naming_the_full_build()
    {
        var server = Servers.Get("filesystem");
        var stdioOnly = await published.StdioOnlyDirectoryAsync(server);
        var lean = new FileInfo(Path.Combine(stdioOnly, server.Project)).Length;
        var full = new FileInfo(Path.Combine(published.DirectoryOf(server), server.Project)).Length;
        Assert.True(lean < full * 0.8, $"stdio-only {lean:N0} bytes, full {full:N0}: ASP.NET Core was not left out");

        await using (var client = await ServerProcess.ConnectStdioCommandAsync(Path.Combine(stdioOnly, "server"), [.. server.Args], server.Environment))
        {
            var answer = await client.CallToolAsync(server.SmokeTool, new Dictionary<string, object?>());
            Assert.Contains(server.SmokeAnswer, string.Concat(answer.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text)), StringComparison.Ordinal);
        }

        var (exitCode, _, stderr) = await Repository.TryRunAsync(Path.Combine(stdioOnly, "server"), ["--transport", "http"], server.Environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("serves stdio only", stderr, StringComparison.Ordinal);
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
