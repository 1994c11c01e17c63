using System.Diagnostics;

namespace Connectors.Container.Tests;

/// <summary>
/// The Docker engine these tests run against, and why they cannot run when there is none. eng/test.sh makes sure an
/// engine runs and builds the images first (eng/images.sh); where it could not, it passes its reason in
/// <see cref="UnavailableVariable"/> and every test here is reported skipped with it, never passed.
/// </summary>
public static class Docker
{
    public const string UnavailableVariable = "CONNECTORS_TEST_DOCKER_UNAVAILABLE";

    /// <summary>The server images as deploy/compose.yaml names them, keyed by server.</summary>
    public static readonly string[] Servers = ["filesystem", "database", "github", "slack"];

    public static string ImageOf(string server) => $"connectors-{server}";

    /// <summary>The PostgreSQL image the pool and the database tests run: the official one unless eng/images.sh made one.</summary>
    public static string PostgresImage =>
        Environment.GetEnvironmentVariable("CONNECTORS_TEST_POSTGRES_IMAGE") is { Length: > 0 } image ? image : "connectors-local/postgres:15";

    /// <summary>The Redis the replica pool shares: eng/images.sh's unless CONNECTORS_TEST_REDIS_IMAGE names another (redis:7).</summary>
    public static string RedisImage =>
        Environment.GetEnvironmentVariable("CONNECTORS_TEST_REDIS_IMAGE") is { Length: > 0 } image ? image : "connectors-local/redis:7";

    /// <summary>The replica pool's load balancer: eng/images.sh's unless CONNECTORS_TEST_HAPROXY_IMAGE names another.</summary>
    public static string HaproxyImage =>
        Environment.GetEnvironmentVariable("CONNECTORS_TEST_HAPROXY_IMAGE") is { Length: > 0 } image ? image : "connectors-local/haproxy:2.6";

    private static readonly Lazy<string?> s_skipReason = new(FindSkipReason);

    /// <summary>Null when the engine answers and every image is there; otherwise why the container tests cannot run.</summary>
    public static string? SkipReason => s_skipReason.Value;

    static Docker() => Connectors.Testing.TestcontainersDefaults.Apply();

    private static string? FindSkipReason()
    {
        if (Environment.GetEnvironmentVariable(UnavailableVariable) is { Length: > 0 } reason)
        {
            return $"no Docker engine: {reason}";
        }

        var (exitCode, _, stderr) = Run(["info", "--format", "{{.ServerVersion}}"]);
        if (exitCode != 0)
        {
            return $"no Docker engine answers `docker info` ({stderr.Trim()}); eng/test.sh starts one where it can";
        }

        var missing = Servers.Select(ImageOf).Concat([PostgresImage, RedisImage, HaproxyImage]).Where(image => !HasImage(image)).ToList();
        return missing.Count == 0 ? null : $"images not built: {string.Join(", ", missing)} (bash eng/images.sh)";
    }

    /// <summary>Skips the calling test, with the reason, when the container tests cannot run here.</summary>
    public static void SkipUnlessAvailable()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    public static bool HasImage(string image) => Run(["image", "inspect", "--format", "{{.Id}}", image]).ExitCode == 0;

    /// <summary>
    /// The host's address on the default bridge: the one address of this machine a container reaches without NAT or
    /// iptables (the engine here runs with neither), so the API emulators listen there for servers in containers.
    /// </summary>
    public static IPAddress BridgeGateway { get; } = FindBridgeGateway();

    private static IPAddress FindBridgeGateway()
    {
        var (exitCode, stdout, _) = Run(["network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}} {{end}}"]);
        return exitCode == 0 && stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) is { } gateway
            ? gateway
            : IPAddress.Loopback;
    }

    /// <summary>Runs the docker CLI to completion.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, stdout.Result, $"docker {string.Join(' ', start.ArgumentList)} did not finish in time. " + stderr.Result);
            }

            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", $"no docker client: {ex.Message}");
        }
    }

    /// <summary>Runs the docker CLI; a non-zero exit fails with its output.</summary>
    public static string RunOrFail(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var list = args.ToList();
        var (exitCode, stdout, stderr) = Run(list, environment, workingDirectory, timeout);
        return exitCode == 0 ? stdout : throw new InvalidOperationException($"docker {string.Join(' ', list)} exited {exitCode}:\n{stdout}\n{stderr}");
    }
}
