using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

// Usage: Connectors.Database.Bench <calls> <table> -- <server command...>
// Over stdio, against a server whose profile may return the whole table (--max-rows >= its row count):
//   1. p50/p95 of <calls> sequential point queries (SELECT … WHERE id = $1);
//   2. SELECT * FROM <table> with the default cap (500 rows): median time and answer bytes;
//   3. SELECT * FROM <table> with max_rows = the whole table: median time over stdio and inside the server (the tool call's
//      own duration from its audit log: query, reading and formatting, without JSON-RPC and the pipe), answer bytes,
//      server RSS before, after each answer, and its peak (VmHWM).
if (args.Length < 4 || Array.IndexOf(args, "--") is var separator && separator != 2)
{
    Console.Error.WriteLine("usage: Connectors.Database.Bench <calls> <table> -- <server command...>");
    return 2;
}

var calls = int.Parse(args[0], CultureInfo.InvariantCulture);
var table = args[1];
var command = args[(separator + 1)..];

var startInfo = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
foreach (var arg in command[1..])
{
    startInfo.ArgumentList.Add(arg);
}

startInfo.Environment["CONNECTORS_LOG_LEVEL"] = "warning";
using var process = Process.Start(startInfo)!;
var toolMs = new System.Collections.Concurrent.ConcurrentQueue<double>();
process.ErrorDataReceived += (_, e) =>
{
    if (e.Data is null)
    {
        return;
    }

    if (e.Data.Contains("\"audit\":\"tool_call\"", StringComparison.Ordinal))
    {
        using var audit = JsonDocument.Parse(e.Data);
        toolMs.Enqueue(audit.RootElement.GetProperty("durationMs").GetDouble());
        return;
    }

    Console.Error.WriteLine(e.Data);
};
process.BeginErrorReadLine();
var stdin = process.StandardInput;
var stdout = process.StandardOutput;
var nextId = 0;

await SendAsync("""{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""", 0);
await stdin.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");

var point = new List<double>();
for (var i = 0; i < calls + 20; i++)
{
    var (ms, _) = await CallAsync("query", new { sql = $"SELECT * FROM {table} WHERE id = $1", @params = new[] { 1 + (i * 7919 % 100_000) } });
    if (i >= 20)
    {
        point.Add(ms);
    }
}

var capped = new List<double>();
var cappedBytes = 0;
for (var i = 0; i < 11; i++)
{
    (var ms, cappedBytes) = await CallAsync("query", new { sql = $"SELECT * FROM {table}" });
    capped.Add(ms);
}

var rssBefore = Measure.ReadRssMb(process.Id);
var hwmBefore = ReadPeakRssMb(process.Id);
var whole = new List<double>();
var wholeBytes = 0;
var rssAfter = new List<double>();
for (var i = 0; i < 5; i++)
{
    (var ms, wholeBytes) = await CallAsync("query", new { sql = $"SELECT * FROM {table}", max_rows = 1_000_000 });
    whole.Add(ms);
    rssAfter.Add(Measure.ReadRssMb(process.Id));
}

var hwmAfter = ReadPeakRssMb(process.Id);

stdin.Close();
if (!process.WaitForExit(5000))
{
    process.Kill(entireProcessTree: true);
}

process.WaitForExit();

// The audit lines of the last five calls are the whole-table ones; stderr is drained once the server has exited.
var wholeInServer = toolMs.ToArray()[^5..];
point.Sort();
capped.Sort();
whole.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"point_query_p50_ms={Measure.Percentile(point, 50):F2} point_query_p95_ms={Measure.Percentile(point, 95):F2} calls={calls}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"select_star_capped_median_ms={Measure.Percentile(capped, 50):F1} select_star_capped_bytes={cappedBytes}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"select_star_whole_median_ms={Measure.Percentile(whole, 50):F1} select_star_whole_in_server_median_ms={Measure.Percentile(wholeInServer, 50):F1} select_star_whole_bytes={wholeBytes}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rss_before_mb={rssBefore:F1} rss_after_each_mb={string.Join(',', rssAfter.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))} peak_rss_before_mb={hwmBefore:F1} peak_rss_after_mb={hwmAfter:F1}"));
return 0;

static double ReadPeakRssMb(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(line => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).FirstOrDefault(double.NaN);

async Task<(double Ms, int Bytes)> CallAsync(string tool, object arguments)
{
    var id = ++nextId;
    var request = JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "tools/call", @params = new { name = tool, arguments } });
    var clock = Stopwatch.StartNew();
    var bytes = await SendAsync(request, id);
    return (clock.Elapsed.TotalMilliseconds, bytes);
}

async Task<int> SendAsync(string request, int id)
{
    await stdin.WriteLineAsync(request);
    await stdin.FlushAsync();
    while (await stdout.ReadLineAsync() is { } line)
    {
        using var json = JsonDocument.Parse(line);
        if (!json.RootElement.TryGetProperty("id", out var responseId) || responseId.ValueKind != JsonValueKind.Number || responseId.GetInt32() != id)
        {
            continue;
        }

        if (json.RootElement.TryGetProperty("error", out var error) ||
            (json.RootElement.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean()))
        {
            throw new InvalidOperationException($"request {id} failed: {line[..Math.Min(line.Length, 500)]}");
        }

        // The answer's own size: the text the tool returned, as the client receives it.
        return json.RootElement.TryGetProperty("result", out var result) && result.TryGetProperty("content", out var content)
            ? System.Text.Encoding.UTF8.GetByteCount(content[0].GetProperty("text").GetString() ?? "")
            : line.Length;
    }

    throw new EndOfStreamException("the server closed stdout");
}
