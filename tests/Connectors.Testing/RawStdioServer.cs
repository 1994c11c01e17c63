using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Connectors.Testing;

/// <summary>
/// A built server as a child process over stdio, spoken to in raw bytes: anything can be written to its stdin, and every
/// line it writes to stdout is kept as bytes (so a test can check that nothing but JSON-RPC ever appears there).
/// </summary>
public sealed partial class RawStdioServer : IAsyncDisposable
{
    public const string InitializeRequest = """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    public const string InitializedNotification = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly List<byte[]> _stdoutLines = [];
    private readonly List<string> _stderr = [];
    private readonly Task _reader;
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RawStdioServer(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        _reader = Task.Run(ReadStdoutAsync);
    }

    public int ProcessId { get; private set; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<byte[]> StdoutLines
    {
        get
        {
            lock (_stdoutLines)
            {
                return [.. _stdoutLines];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join(Environment.NewLine, _stderr);
            }
        }
    }

    /// <summary>Starts the server (without initializing it).</summary>
    public static RawStdioServer Start(string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = ServerProcess.CreateStartInfo(projectName, args, environment);
        var process = Process.Start(startInfo)!;
        return new RawStdioServer(process) { ProcessId = process.Id };
    }

    /// <summary>Starts the server and completes the MCP handshake.</summary>
    public static async Task<RawStdioServer> StartInitializedAsync(string projectName, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = Start(projectName, args, environment);
        await server.SendLineAsync(InitializeRequest);
        await server.WaitForResponseAsync("init", TimeSpan.FromSeconds(60));
        await server.SendLineAsync(InitializedNotification);
        return server;
    }

    /// <summary>Writes the bytes followed by a newline (the stdio transport's message delimiter).</summary>
    public async Task SendLineAsync(ReadOnlyMemory<byte> line)
    {
        await _stdin.WriteAsync(line);
        await _stdin.WriteAsync("\n"u8.ToArray());
        await _stdin.FlushAsync();
    }

    public Task SendLineAsync(string line) => SendLineAsync(Encoding.UTF8.GetBytes(line));

    /// <summary>Sends a request with a string id and returns its response.</summary>
    public async Task<JsonElement> RequestAsync(string id, string method, object? parameters, TimeSpan timeout)
    {
        await SendLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }));
        return await WaitForResponseAsync(id, timeout);
    }

    /// <summary>Waits for the response (result or error) whose id is the given string.</summary>
    public async Task<JsonElement> WaitForResponseAsync(string id, TimeSpan timeout) =>
        await WaitForLineAsync(root => IsResponse(root) && root.GetProperty("id") is { ValueKind: JsonValueKind.String } value && value.GetString() == id, timeout)
        ?? throw new TimeoutException($"No response to '{id}' within {timeout}. Stderr:{Environment.NewLine}{Stderr}");

    /// <summary>Waits for a stdout message matching the predicate; null when none came within the timeout (or stdout closed).</summary>
    public async Task<JsonElement?> WaitForLineAsync(Func<JsonElement, bool> predicate, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var seen = 0;
        while (true)
        {
            Task arrived;
            lock (_stdoutLines)
            {
                for (; seen < _stdoutLines.Count; seen++)
                {
                    if (TryParse(_stdoutLines[seen]) is { } root && predicate(root))
                    {
                        return root;
                    }
                }

                arrived = _lineArrived.Task;
            }

            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || _reader.IsCompleted)
            {
                return null;
            }

            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    public static bool IsResponse(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out _) && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _));

    /// <summary>CPU time the process has used (user + system), from /proc/&lt;pid&gt;/stat.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        // Fields after the parenthesised command name: state is field 3; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / ClockTicksPerSecond());
    }

    /// <summary>SIGKILL: no chance to clean up, as when the machine or the container runtime kills it.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Closes stdin (the client going away) and waits for the process to end.</summary>
    public async Task<int> CloseAndWaitAsync(TimeSpan timeout)
    {
        _stdin.Close();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _reader;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            await _reader;
        }
        catch (IOException)
        {
        }

        _process.Dispose();
    }

    private static JsonElement? TryParse(byte[] line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task ReadStdoutAsync()
    {
        var stdout = _process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        var pending = new MemoryStream();
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    pending.Write(buffer, start, i - start);
                    AddLine(pending.ToArray());
                    pending.SetLength(0);
                    start = i + 1;
                }
            }

            pending.Write(buffer, start, read - start);
        }

        if (pending.Length > 0)
        {
            AddLine(pending.ToArray());
        }

        lock (_stdoutLines)
        {
            _lineArrived.TrySetResult();
        }
    }

    private void AddLine(byte[] line)
    {
        lock (_stdoutLines)
        {
            _stdoutLines.Add(line);
            var arrived = _lineArrived;
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived.TrySetResult();
        }
    }

    private static long ClockTicksPerSecond() => SysConf(2 /* _SC_CLK_TCK */);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
