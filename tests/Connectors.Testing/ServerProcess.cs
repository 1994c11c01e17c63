using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using ModelContextProtocol.Client;

namespace Connectors.Testing;

/// <summary>A built server started as a real process: over HTTP here, over stdio through <see cref="ConnectStdioAsync"/>.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _exited.TrySetResult();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.Add(e.Data);
                Monitor.PulseAll(_stderr);
            }
        };
    }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri McpUrl => new(BaseUrl, "/mcp");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>
    /// Names a folder of published servers, one per subfolder named after its project (<c>DIR/Connectors.Filesystem/</c>,
    /// as eng/test.sh publishes them). When set, every server these helpers start is that published native executable
    /// instead of the built dll: Native AOT fails at run time, not at build time, so the process-level tests run again
    /// against what ships.
    /// </summary>
    public const string PublishedServersVariable = "CONNECTORS_TEST_SERVERS_DIR";

    /// <summary>The folder of published servers this run uses, or null when the tests run the built dlls.</summary>
    public static string? PublishedServersDirectory =>
        Environment.GetEnvironmentVariable(PublishedServersVariable) is { Length: > 0 } directory ? directory : null;

    /// <summary>
    /// The path of a built server: the sibling of this test assembly's output, same configuration. Refused when the run
    /// is against published servers, so no test can quietly start the managed dll there.
    /// </summary>
    public static string ServerDll(string projectName)
    {
        if (PublishedServersDirectory is { } published)
        {
            throw new InvalidOperationException($"{PublishedServersVariable}={published}: this run tests the published executables, and a test asked for {projectName}.dll; start servers through ServerProcess.Command.");
        }

        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Name;
        var dll = Path.Combine(testOutput.Parent!.Parent!.FullName, projectName, configuration, projectName + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {projectName} first (dotnet build Connectors.sln).", dll);
    }

    /// <summary>
    /// The command line that starts a server: <c>dotnet Server.dll</c>, or under <see cref="PublishedServersVariable"/>
    /// the published native executable — which must be a Native AOT output (no managed entry assembly beside it).
    /// </summary>
    public static string[] Command(string projectName)
    {
        if (PublishedServersDirectory is not { } published)
        {
            return ["dotnet", ServerDll(projectName)];
        }

        var folder = Path.Combine(published, projectName);
        var executable = Path.Combine(folder, projectName);
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"{PublishedServersVariable}={published} has no published {projectName}; publish it to {folder} first (eng/test.sh does).", executable);
        }

        if (File.Exists(Path.Combine(folder, projectName + ".dll")))
        {
            throw new InvalidOperationException($"{folder} holds {projectName}.dll: a framework-dependent publish, not Native AOT.");
        }

        return [executable];
    }

    /// <summary>Runs a server to completion with the given arguments (help, configuration errors, …).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(
        string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(CreateStartInfo(projectName, args, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a server over Streamable HTTP on a free loopback port and waits until it listens.</summary>
    public static Task<ServerProcess> StartHttpAsync(string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = Command(projectName);
        return StartHttpCommandAsync(command[0], [.. command[1..], .. args, "--transport", "http", "--urls", "http://127.0.0.1:0"], environment);
    }

    /// <summary>
    /// Starts any server command (an installed tool, a published app) that is configured to serve HTTP — by its
    /// arguments or its environment — and waits until it listens.
    /// </summary>
    public static async Task<ServerProcess> StartHttpCommandAsync(string command, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = new ServerProcess(Process.Start(CreateCommandStartInfo(command, args, environment))!);
        server._process.BeginErrorReadLine();
        server._process.StandardOutput.Close();
        try
        {
            var listening = await server.WaitForLogAsync(line => line.Contains("Listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            using var json = JsonDocument.Parse(listening);
            server.BaseUrl = new Uri(json.RootElement.GetProperty("url").GetString()!);
            return server;
        }
        catch
        {
            // A server that never said where it listens is still running: end it rather than leave it behind.
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a server over stdio and connects the SDK's client to it.</summary>
    public static Task<McpClient> ConnectStdioAsync(string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null, Action<string>? onStderrLine = null)
    {
        var command = Command(projectName);
        return ConnectStdioCommandAsync(command[0], [.. command[1..], .. args], environment, onStderrLine);
    }

    /// <summary>Starts any server command (e.g. an installed .NET tool) over stdio and connects the SDK's client to it.</summary>
    public static Task<McpClient> ConnectStdioCommandAsync(string command, string[] args, IReadOnlyDictionary<string, string>? environment = null, Action<string>? onStderrLine = null)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = Path.GetFileName(command),
            Command = command,
            Arguments = args,
            EnvironmentVariables = environment?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
            StandardErrorLines = onStderrLine,
        });
        return McpClient.CreateAsync(transport);
    }

    public Task<McpClient> ConnectHttpAsync() =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = McpUrl, TransportMode = HttpTransportMode.StreamableHttp }));

    /// <summary>Waits for a stderr line matching the predicate and returns it.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            lock (_stderr)
            {
                for (; seen < _stderr.Count; seen++)
                {
                    if (predicate(_stderr[seen]))
                    {
                        return _stderr[seen];
                    }
                }
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                // One last look: the line may have arrived with the exit.
                await Task.Delay(100);
                lock (_stderr)
                {
                    if (_stderr.Skip(seen).FirstOrDefault(predicate) is { } late)
                    {
                        return late;
                    }

                    throw new TimeoutException($"No matching log line within {timeout}. Stderr so far:{Environment.NewLine}{string.Join(Environment.NewLine, _stderr)}");
                }
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Sends SIGTERM, as a container runtime does, and waits for the process to end.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        if (SendSignal(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed");
        }

        await _exited.Task.WaitAsync(timeout);
        var elapsed = started.Elapsed;

        // The no-argument wait also drains the redirected stderr, so the last log lines are in.
        _process.WaitForExit();
        return elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>A start of the server with every stream redirected, for tests that drive the process themselves.</summary>
    public static ProcessStartInfo CreateStartInfo(string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = Command(projectName);
        return CreateCommandStartInfo(command[0], [.. command[1..], .. args], environment);
    }

    private static ProcessStartInfo CreateCommandStartInfo(string command, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        return startInfo;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
