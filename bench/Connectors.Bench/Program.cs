using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

// Usage: Connectors.Bench <runs> <calls> <file-to-read> -- <server command...>
// Measures, over stdio: process start -> answered initialize (median of <runs> fresh processes), idle RSS after
// initialize, and p50/p95 latency of <calls> sequential read_text_file calls on one process.
if (args.Length < 5 || Array.IndexOf(args, "--") is var separator && separator < 3)
{
    Console.Error.WriteLine("usage: Connectors.Bench <runs> <calls> <file-to-read> -- <server command...>");
    return 2;
}

var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
var calls = int.Parse(args[1], CultureInfo.InvariantCulture);
var file = args[2];
var command = args[(separator + 1)..];

const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""";
const string Initialized = """{"jsonrpc":"2.0","method":"notifications/initialized"}""";

var readyMs = new List<double>();
var idleRssMb = new List<double>();
var callMs = new List<double>();
for (var run = 0; run < runs; run++)
{
    var startInfo = new ProcessStartInfo(command[0])
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    foreach (var arg in command[1..])
    {
        startInfo.ArgumentList.Add(arg);
    }

    startInfo.Environment["CONNECTORS_LOG_LEVEL"] = "warning";
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(startInfo)!;
    process.ErrorDataReceived += (_, _) => { };
    process.BeginErrorReadLine();
    var stdin = process.StandardInput;
    var stdout = process.StandardOutput;
    await stdin.WriteLineAsync(Initialize);
    await stdin.FlushAsync();
    await ReadResponseAsync(stdout, 1);
    readyMs.Add(clock.Elapsed.TotalMilliseconds);
    await stdin.WriteLineAsync(Initialized);
    await stdin.FlushAsync();

    // One run measures the steady state: idle memory, then call latency after a short warm-up.
    if (run == runs - 1)
    {
        await Task.Delay(1000);
        idleRssMb.Add(Measure.ReadRssMb(process.Id));
        var id = 100;
        for (var i = 0; i < calls + 20; i++)
        {
            var request = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = ++id, method = "tools/call", @params = new { name = "read_text_file", arguments = new { path = file } } });
            var callClock = Stopwatch.StartNew();
            await stdin.WriteLineAsync(request);
            await stdin.FlushAsync();
            await ReadResponseAsync(stdout, id);
            if (i >= 20)
            {
                callMs.Add(callClock.Elapsed.TotalMilliseconds);
            }
        }

        idleRssMb.Add(Measure.ReadRssMb(process.Id));
    }

    stdin.Close();
    if (!process.WaitForExit(5000))
    {
        process.Kill(entireProcessTree: true);
    }
}

readyMs.Sort();
callMs.Sort();
Console.WriteLine($"ready_ms_median={Measure.Percentile(readyMs, 50):F1} ready_ms_min={readyMs[0]:F1} ready_ms_max={readyMs[^1]:F1} runs={runs}");
Console.WriteLine($"idle_rss_mb={idleRssMb[0]:F1} rss_after_calls_mb={idleRssMb[^1]:F1}");
Console.WriteLine($"read_text_file_p50_ms={Measure.Percentile(callMs, 50):F3} read_text_file_p95_ms={Measure.Percentile(callMs, 95):F3} calls={calls}");
return 0;

static async Task ReadResponseAsync(StreamReader stdout, int id)
{
    while (await stdout.ReadLineAsync() is { } line)
    {
        using var json = JsonDocument.Parse(line);
        if (json.RootElement.TryGetProperty("id", out var responseId) && responseId.ValueKind == JsonValueKind.Number && responseId.GetInt32() == id)
        {
            if (json.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"request {id} failed: {error}");
            }

            return;
        }
    }

    throw new EndOfStreamException("the server closed stdout");
}
