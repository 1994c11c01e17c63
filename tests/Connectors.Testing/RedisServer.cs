using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Connectors.Testing;

/// <summary>
/// A real, throwaway Redis: Debian's redis-server (CONNECTORS_TEST_REDIS_SERVER names another binary) started as a
/// child process on 127.0.0.1 with a free port, without persistence. It can be stopped and started again on the same
/// port, to test what the servers do during an outage and after it. Share one per test collection.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly string s_binary = Environment.GetEnvironmentVariable("CONNECTORS_TEST_REDIS_SERVER") ?? "/usr/bin/redis-server";

    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The connection string the servers take with --redis.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(s_binary))
        {
            throw new InvalidOperationException($"{s_binary} is missing: install Debian's redis-server (apt-get install redis-server; eng/test.sh does).");
        }

        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await StartAsync();
    }

    /// <summary>Starts redis-server (again) on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(s_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < until && !_process.HasExited)
            {
            }

            if (_process.HasExited || DateTime.UtcNow >= until)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port} (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills redis-server (an outage: no goodbye to its clients) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
