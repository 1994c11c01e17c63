using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Testcontainers.PostgreSql;

namespace Connectors.Testing.Postgres;

/// <summary>
/// The fixture's PostgreSQL as a container (Testcontainers) of the image CONNECTORS_TEST_POSTGRES_IMAGE names — eng/test.sh
/// names the one eng/images.sh builds from Debian's postgresql-15 when a Docker engine runs. Trust authentication and
/// the same server settings as the initdb cluster, so the tests see the same server either way. Published on a fixed
/// free port, so a stop and start (the tests that take the database down) keeps the address the servers were given.
/// </summary>
internal sealed class PostgresContainer : IAsyncDisposable
{
    public const string ImageVariable = "CONNECTORS_TEST_POSTGRES_IMAGE";

    private readonly PostgreSqlContainer _container;

    private PostgresContainer(PostgreSqlContainer container, int port)
    {
        _container = container;
        Port = port;
    }

    public static string? Image => Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : null;

    public int Port { get; }

    public static async Task<PostgresContainer> StartAsync(string image)
    {
        TestcontainersDefaults.Apply();
        var port = FreePort();
        var container = new PostgreSqlBuilder(image)
            .WithPortBinding(port, PostgreSqlBuilder.PostgreSqlPort)
            .WithEnvironment("POSTGRES_HOST_AUTH_METHOD", "trust")
            .WithCommand("-c", "max_connections=60")
            .Build();
        var clock = Stopwatch.StartNew();
        await container.StartAsync();
        Console.Error.WriteLine($"[postgres] container of {image} on 127.0.0.1:{port}, ready in {clock.ElapsedMilliseconds} ms");
        return new PostgresContainer(container, port);
    }

    /// <summary>
    /// Stops the server as the initdb cluster's <c>pg_ctl -m immediate|fast stop</c> does: SIGQUIT to the postmaster (the
    /// container's process), so open connections are cut without a word, or SIGINT, a fast shutdown, in which the server
    /// first tells every open connection 57P01 (terminating connection due to administrator command).
    /// </summary>
    public async Task StopAsync(bool fast = false)
    {
        await DockerAsync("kill", "--signal", fast ? "INT" : "QUIT", _container.Id);
        await DockerAsync("wait", _container.Id);
    }

    public Task StartAsync() => _container.StartAsync();

    public ValueTask DisposeAsync() => _container.DisposeAsync();

    private static async Task DockerAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
