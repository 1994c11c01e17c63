namespace Connectors.Bench;

/// <summary>An MCP server as a child process over stdio, spoken to in raw JSON-RPC (no SDK in the measurement path).</summary>
internal sealed class StdioServer : IAsyncDisposable
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""";
    private const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

    private readonly Process _process;
    private int _nextId = 100;

    private StdioServer(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>The last response line read (to check what a server answered, or pick a value out of it, e.g. a resource URI).</summary>
    public string LastResponse { get; private set; } = "";

    /// <summary>Starts the server and waits for its answer to initialize; returns it with the elapsed time.</summary>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="environment">Extra environment variables, if any.</param>
    /// <param name="onStderrLine">Sees every line the server logs (e.g. its audit lines); they are dropped otherwise.</param>
    public static async Task<(StdioServer Server, double ReadyMs)> StartAsync(
        IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null, Action<string>? onStderrLine = null)
    {
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in command.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["CONNECTORS_LOG_LEVEL"] = "warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(startInfo)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onStderrLine?.Invoke(e.Data);
            }
        };
        process.BeginErrorReadLine();
        var server = new StdioServer(process);
        await server.SendAsync(Initialize);
        await server.ReadResponseAsync(1);
        var ready = clock.Elapsed.TotalMilliseconds;
        await server.SendAsync(Initialized);
        return (server, ready);
    }

    /// <summary>Calls a tool; returns the response size in bytes and the round-trip time.</summary>
    public Task<(int Bytes, double Ms, bool IsError)> CallToolAsync(string tool, object arguments) =>
        RequestAsync("tools/call", new { name = tool, arguments });

    /// <summary>Sends any request (resources/list, resources/read…); returns the response size in bytes and the round-trip time.</summary>
    public async Task<(int Bytes, double Ms, bool IsError)> RequestAsync(string method, object parameters)
    {
        var id = ++_nextId;
        var request = JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters });
        var clock = Stopwatch.StartNew();
        await SendAsync(request);
        var (line, isError) = await ReadResponseAsync(id);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return (Encoding.UTF8.GetByteCount(line), elapsed, isError);
    }

    /// <summary>Asks for the tool list; returns the response size in bytes.</summary>
    public async Task<int> ListToolsBytesAsync()
    {
        var id = ++_nextId;
        await SendAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/list", @params = new { } }));
        var (line, _) = await ReadResponseAsync(id);
        return Encoding.UTF8.GetByteCount(line);
    }

    public double RssMb() => Measure.ReadRssMb(_process.Id);

    public double PeakRssMb() => Measure.ReadPeakRssMb(_process.Id);

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    private async Task<(string Line, bool IsError)> ReadResponseAsync(int id)
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("id", out var responseId) && responseId.ValueKind == JsonValueKind.Number && responseId.GetInt32() == id)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"request {id} failed: {error}");
                }

                LastResponse = line;
                var isError = root.GetProperty("result") is { ValueKind: JsonValueKind.Object } result && result.TryGetProperty("isError", out var flag) && flag.GetBoolean();
                return (line, isError);
            }
        }

        throw new EndOfStreamException("the server closed stdout");
    }
}
