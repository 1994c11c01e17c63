using System.Diagnostics;
using Connectors.Testing.GitHub;
using Connectors.Testing.Slack;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Testcontainers.PostgreSql;

namespace Connectors.Container.Tests;

/// <summary>One server image running, as a client outside the container sees it.</summary>
public sealed record RunningServer(string Server, IContainer Container, Uri BaseUrl, TimeSpan ReadyAfter)
{
    public Uri McpUrl => new(BaseUrl, "/mcp");
}

/// <summary>
/// The four server images started by Testcontainers as a team runs them — read-only root filesystem with a tmpfs /tmp,
/// all capabilities dropped, no new privileges, API keys required — each with what it needs to answer a real tool call:
/// a read-only share (filesystem), a PostgreSQL container with the pool's sample database and read-only role (database),
/// the GitHub and Slack API emulators of Connectors.Testing (github, slack). Started one after the other, so each
/// container's time from create-and-start to a 200 from /readyz is its own.
/// </summary>
public sealed class ServerContainers : IAsyncLifetime
{
    public const string ApiKey = "container-tests-key-0123456789";
    public const string ShareFile = "hello.txt";
    public const string ShareText = "hello from the share";
    public const string ReaderPassword = "reader-pw-3b1f9e";

    private readonly Dictionary<string, RunningServer> _servers = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private string? _share;

    public RunningServer this[string server] => _servers[server];

    public async ValueTask InitializeAsync()
    {
        if (Docker.SkipReason is not null)
        {
            return;
        }

        // The servers in containers reach the host only at the bridge's gateway address: the emulators listen there.
        var github = await GitHubEmulator.StartAsync(address: Docker.BridgeGateway);
        _owned.Add(github);
        var slack = await SlackEmulator.StartAsync(address: Docker.BridgeGateway);
        _owned.Add(slack);

        _share = Directory.CreateTempSubdirectory("connectors-share-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_share, ShareFile), ShareText);
        // The container's user (uid 1654) reads the bind-mounted share.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_share, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var network = new NetworkBuilder().WithName($"connectors-tests-{Guid.NewGuid():N}").Build();
        await network.CreateAsync();
        _owned.Add(network);
        var postgres = new PostgreSqlBuilder(Docker.PostgresImage)
            .WithNetwork(network)
            .WithNetworkAliases("postgres")
            .WithEnvironment("CONNECTORS_READER_PASSWORD", ReaderPassword)
            .WithResourceMapping(new FileInfo(Repository.PathOf("deploy", "postgres", "init.sh")), new FileInfo("/docker-entrypoint-initdb.d/10-sample.sh"))
            .Build();
        await postgres.StartAsync();
        _owned.Add(postgres);

        await StartAsync("filesystem", network, b => b
            .WithEnvironment("CONNECTORS_FILESYSTEM_ROOTS", "/share")
            .WithBindMount(_share, "/share", AccessMode.ReadOnly));
        await StartAsync("database", network, b => b
            .WithEnvironment("CONNECTORS_DATABASE_CONNECTION_STRING", $"Host=postgres;Database=sample;Username=connectors_reader;Password={ReaderPassword}"));
        await StartAsync("github", network, b => b
            .WithEnvironment("GITHUB_TOKEN", "ghp_reader")
            .WithEnvironment("GITHUB_API_URL", github.Url.ToString()));
        await StartAsync("slack", network, b => b
            .WithEnvironment("SLACK_BOT_TOKEN", SlackWorkspace.BotToken)
            .WithEnvironment("SLACK_API_URL", slack.Url));
    }

    private async Task StartAsync(string server, INetwork network, Func<ContainerBuilder, ContainerBuilder> configure)
    {
        var container = configure(new ContainerBuilder(Docker.ImageOf(server))
                .WithNetwork(network)
                .WithPortBinding(8080, assignRandomHostPort: true)
                .WithEnvironment("CONNECTORS_API_KEYS", $"ci:{ApiKey}")
                .WithTmpfsMount("/tmp")
                .WithCreateParameterModifier(create =>
                {
                    // As deploy/compose.yaml and the Kubernetes manifests run the images.
                    var host = create.HostConfig!;
                    host.ReadonlyRootfs = true;
                    host.CapDrop = ["ALL"];
                    host.SecurityOpt = ["no-new-privileges:true"];
                }))
            .Build();
        _owned.Add(container);

        var clock = Stopwatch.StartNew();
        await container.StartAsync();
        var baseUrl = new Uri($"http://127.0.0.1:{container.GetMappedPublicPort(8080)}");
        if (!await McpHttp.WaitForOkAsync(new Uri(baseUrl, "/readyz"), TimeSpan.FromSeconds(60)))
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            throw new InvalidOperationException($"{Docker.ImageOf(server)} did not answer /readyz with 200 within 60 s:\n{stdout}\n{stderr}");
        }

        var ready = clock.Elapsed;
        Measurements.Record($"{Docker.ImageOf(server)}: started to healthy /readyz in {ready.TotalMilliseconds:F0} ms");
        _servers[server] = new RunningServer(server, container, baseUrl, ready);
    }

    public async ValueTask DisposeAsync()
    {
        // Containers first, then the network they are on, then the emulators.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        if (_share is not null)
        {
            Directory.Delete(_share, recursive: true);
        }
    }
}
