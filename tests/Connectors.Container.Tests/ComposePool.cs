using System.Diagnostics;
using System.Net.Sockets;
using Connectors.Testing.GitHub;
using Connectors.Testing.Slack;

namespace Connectors.Container.Tests;

/// <summary>
/// The team pool as deploy/compose.yaml defines it with two replicas of each server sharing a Redis behind HAProxy
/// (deploy/compose.replicas.yaml), brought up under a project name of its own with the images eng/images.sh built
/// (<c>up --no-build</c>), keys and tokens as Docker secrets (deploy/compose.secrets.yaml), the rest from an env file, GitHub and Slack pointed at the API emulators, and free host ports for the four servers. Brought
/// down, volumes and all, at the end.
/// </summary>
public sealed class ComposePool : IAsyncLifetime
{
    public const string ApiKey = "pool-tests-key-0123456789abcdef";

    private static readonly string[] s_singleReplicaFiles = ["compose.yaml", "compose.secrets.yaml"];
    private static readonly string[] s_replicaFiles = [.. s_singleReplicaFiles, "compose.replicas.yaml"];

    private readonly string _project = $"connectors-test-{Guid.NewGuid():N}"[..28];
    private readonly Dictionary<string, int> _ports = [];
    private string? _directory;
    private GitHubEmulator? _github;
    private SlackEmulator? _slack;
    private bool _up;

    public Uri BaseUrl(string server) => new($"http://127.0.0.1:{_ports[server]}");

    public Uri McpUrl(string server) => new(BaseUrl(server), "/mcp");

    public async ValueTask InitializeAsync()
    {
        if (Docker.SkipReason is not null)
        {
            return;
        }

        _github = await GitHubEmulator.StartAsync(address: Docker.BridgeGateway);
        _slack = await SlackEmulator.StartAsync(address: Docker.BridgeGateway);

        // The project folder: what a team keeps beside the compose file (env file, secrets, the share), made here.
        _directory = Directory.CreateTempSubdirectory("connectors-pool-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "postgres"));
        File.Copy(Repository.PathOf("deploy", "postgres", "init.sh"), Path.Combine(_directory, "postgres", "init.sh"));
        Directory.CreateDirectory(Path.Combine(_directory, "haproxy"));
        File.Copy(Repository.PathOf("deploy", "haproxy", "haproxy.cfg"), Path.Combine(_directory, "haproxy", "haproxy.cfg"));
        Directory.CreateDirectory(Path.Combine(_directory, "share"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "share", ServerContainers.ShareFile), ServerContainers.ShareText);
        await File.WriteAllTextAsync(Path.Combine(_directory, "connectors.env"), $"""
            POSTGRES_PASSWORD=pool-admin-pw-6d2c
            CONNECTORS_READER_PASSWORD={ServerContainers.ReaderPassword}
            GITHUB_API_URL={_github.Url}
            SLACK_API_URL={_slack.Url}

            """);
        Directory.CreateDirectory(Path.Combine(_directory, "secrets"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "secrets", "api-keys"), $"alice:{ApiKey}\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "secrets", "github-token"), "ghp_reader\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "secrets", "slack-bot-token"), SlackWorkspace.BotToken + "\n");
        MakeReadableToAll(_directory);

        foreach (var server in Docker.Servers)
        {
            _ports[server] = FreePort();
        }

        var clock = Stopwatch.StartNew();
        _up = true;
        Compose("up", "--detach", "--no-build", "--wait", "--wait-timeout", "180");
        Measurements.Record($"compose pool: up (PostgreSQL with the sample database, Redis, two replicas of each server, HAProxy) and healthy in {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Runs <c>docker compose</c> on the pool: the repository's compose files, this pool's folder and ports.</summary>
    public string Compose(params string[] args) => ComposeWith(s_replicaFiles, args);

    /// <summary>The pool without deploy/compose.replicas.yaml, as <c>docker compose config</c> resolves it (JSON).</summary>
    public JsonElement SingleReplicaConfig() =>
        JsonDocument.Parse(ComposeWith(s_singleReplicaFiles, "config", "--format", "json")).RootElement;

    private string ComposeWith(string[] files, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["CONNECTORS_POSTGRES_IMAGE"] = Docker.PostgresImage,
            ["CONNECTORS_REDIS_IMAGE"] = Docker.RedisImage,
            ["CONNECTORS_HAPROXY_IMAGE"] = Docker.HaproxyImage,
            ["CONNECTORS_SHARE"] = Path.Combine(_directory!, "share"),
        };
        foreach (var (server, port) in _ports)
        {
            environment[$"CONNECTORS_{server.ToUpperInvariant()}_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Docker.RunOrFail(
            ["compose", "--project-name", _project, "--project-directory", _directory!,
             .. files.SelectMany(file => new[] { "--file", Repository.PathOf("deploy", file) }),
             "--env-file", Path.Combine(_directory!, "connectors.env"), .. args],
            environment, Repository.Root, TimeSpan.FromMinutes(5));
    }

    /// <summary>The ids of the containers running a service (its replicas), in a stable order.</summary>
    public IReadOnlyList<string> ContainersOf(string service) =>
        [.. Compose("ps", "--quiet", service).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_up)
            {
                Compose("down", "--volumes", "--timeout", "10");
            }
        }
        finally
        {
            if (_github is not null)
            {
                await _github.DisposeAsync();
            }

            if (_slack is not null)
            {
                await _slack.DisposeAsync();
            }

            if (_directory is not null)
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }

    // The servers run as uid 1654, and bind mounts and secrets keep the host's owners and modes.
    private static void MakeReadableToAll(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ReadAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Traverse = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, ReadAll | Traverse);
        foreach (var sub in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(sub, ReadAll | Traverse);
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, file.EndsWith(".sh", StringComparison.Ordinal) ? ReadAll | Traverse : ReadAll);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ComposePoolCollection : ICollectionFixture<ComposePool>
{
    public const string Name = "compose pool";
}
