using System.Collections.Concurrent;
using System.Diagnostics;

namespace Connectors.Resilience.Tests;

/// <summary>
/// The load suite's short form: 50 concurrent HTTP clients on one filesystem server process with API-key auth and the
/// audit log on, each call one of eight read tools at random. CONNECTORS_LOAD_CALLS (calls per client per round,
/// default 40) and CONNECTORS_LOAD_ROUNDS (default 5) make the long form: 200 and 10 are the issue's 50 × 200 × 10.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output) : IDisposable
{
    private const int Clients = 50;
    private const string KeyName = "loadtest";
    private const string Key = "resilience-load-key-0123456789";

    /// <summary>RSS may move with the GC's heap sizing; a leak of a few KB per call over thousands of calls would not fit.</summary>
    private const double RssGrowthBoundMb = 64;

    private static readonly string[] s_directories = ["alpha", "beta", "gamma", "delta"];
    private static readonly string[] s_files = ["one.txt", "two.txt", "three.txt", "four.txt", "five.txt", "six.txt"];

    private readonly TempDirectory _tree = new();
    private readonly TempDirectory _audit = new();

    public void Dispose()
    {
        _tree.Dispose();
        _audit.Dispose();
    }

    [Fact]
    public async Task Fifty_clients_get_every_answer_once_with_no_protocol_error_and_flat_memory()
    {
        var callsPerClient = FromEnvironment("CONNECTORS_LOAD_CALLS", 40);
        var rounds = FromEnvironment("CONNECTORS_LOAD_ROUNDS", 5);
        Assert.True(rounds >= 4, "RSS flatness is judged from round 3 on: give at least 4 rounds.");
        foreach (var directory in s_directories)
        {
            foreach (var file in s_files)
            {
                _tree.Write($"{directory}/{file}", Content(directory, file));
            }
        }

        var auditFile = Path.Combine(_audit.Path, "audit.jsonl");
        await using var server = await ServerProcess.StartHttpAsync("Connectors.Filesystem",
            ["--roots", _tree.Path, "--auth", "api-key", "--audit-log", auditFile, "--audit-max-file-bytes", int.MaxValue.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["CONNECTORS_API_KEYS"] = $"{KeyName}:{Key}" });

        var clients = Enumerable.Range(0, Clients).Select(_ => new HttpClient { Timeout = TimeSpan.FromMinutes(2) }).ToArray();
        try
        {
            var answered = new ConcurrentDictionary<string, int>();
            var failures = new ConcurrentQueue<string>();
            var rssMb = new List<double>();
            var sent = 0;
            var elapsed = Stopwatch.StartNew();
            var latencyMs = new ConcurrentBag<double>();

            // Round 0 warms up (JIT, thread pool, heap sizing) and is not measured.
            for (var round = 0; round <= rounds; round++)
            {
                var roundNumber = round;
                await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
                {
                    var random = new Random((roundNumber * Clients) + c);
                    for (var i = 0; i < callsPerClient; i++)
                    {
                        var id = $"r{roundNumber}-c{c}-{i}";
                        var call = Stopwatch.StartNew();
                        await CallOnceAsync(client, server.McpUrl, id, random, answered, failures);
                        if (roundNumber > 0)
                        {
                            latencyMs.Add(call.Elapsed.TotalMilliseconds);
                        }
                    }
                }))).WaitAsync(TimeSpan.FromMinutes(10));
                sent += Clients * callsPerClient;
                if (round > 0)
                {
                    rssMb.Add(ResidentMb(server.ProcessId));
                }
            }

            // Reported, not asserted: speed belongs to the benchmarks (eng/bench-http-auth.sh).
            var sorted = latencyMs.Order().ToArray();
            output.WriteLine($"{sent} calls over {rounds} rounds (+1 warm-up) in {elapsed.Elapsed.TotalSeconds:F0} s; " +
                $"latency after warm-up p50 {sorted[sorted.Length / 2]:F1} ms, p99 {sorted[sorted.Length * 99 / 100]:F1} ms, max {sorted[^1]:F1} ms; " +
                $"RSS per round (MB): {string.Join(", ", rssMb.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))}");
            Assert.True(failures.IsEmpty, $"{failures.Count} failed calls, e.g.:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(10))}");
            Assert.Equal(sent, answered.Count);
            Assert.All(answered, a => Assert.Equal(1, a.Value));
            Assert.False(server.HasExited);

            var growth = rssMb[^1] - rssMb[2];
            Assert.True(growth < RssGrowthBoundMb, $"RSS grew {growth:F1} MB from round 3 to round {rounds}: {string.Join(", ", rssMb)}");

            // SIGTERM lets the host close the audit file; every call left exactly one line, under the key's name.
            await server.TerminateAsync(TimeSpan.FromSeconds(60));
            var auditLines = File.ReadAllLines(auditFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(sent, auditLines.Count);
            Assert.All(auditLines, l =>
            {
                Assert.Equal(KeyName, l.GetProperty("identity").GetString());
                Assert.Equal("ok", l.GetProperty("outcome").GetString());
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private async Task CallOnceAsync(HttpClient client, Uri url, string id, Random random, ConcurrentDictionary<string, int> answered, ConcurrentQueue<string> failures)
    {
        var (tool, arguments, check) = PickCall(random);
        var answer = await McpHttp.CallToolAsync(client, url, id, tool, arguments, Key);
        if (answer.Result is not { } result)
        {
            failures.Enqueue(answer.Problem!);
            return;
        }

        // Read checked that the answer carries this call's id; counting ids catches a call answered twice.
        answered.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (result.IsError == true || !check(result.Text()))
        {
            failures.Enqueue($"{id} {tool} {JsonSerializer.Serialize(arguments)}: unexpected result {result.Text()}");
        }
    }

    private (string Tool, object Arguments, Func<string, bool> Check) PickCall(Random random)
    {
        var directory = s_directories[random.Next(s_directories.Length)];
        var file = s_files[random.Next(s_files.Length)];
        var other = s_files[(Array.IndexOf(s_files, file) + 1) % s_files.Length];
        return random.Next(8) switch
        {
            0 => ("list_allowed_directories", new { }, text => text.Contains(_tree.Path, StringComparison.Ordinal)),
            1 => ("list_directory", new { path = directory }, text => s_files.All(f => text.Contains($"[FILE] {f}", StringComparison.Ordinal))),
            2 => ("read_text_file", new { path = $"{directory}/{file}" }, text => text == Content(directory, file)),
            3 => ("search_files", new { path = ".", pattern = $"**/{file}" },
                text => s_directories.All(d => text.Contains($"{d}/{file}", StringComparison.Ordinal))),
            4 => ("read_multiple_files", new { paths = new[] { $"{directory}/{file}", $"{directory}/{other}" } },
                text => text.Contains(Content(directory, file), StringComparison.Ordinal) && text.Contains(Content(directory, other), StringComparison.Ordinal)),
            5 => ("directory_tree", new { path = directory },
                text => s_files.All(f => text.Contains($"\"name\":\"{f}\"", StringComparison.Ordinal))),
            6 => ("search_content", new { path = ".", pattern = $"{directory}/{file} line 7" },
                text => text.Contains($"{directory}/{file}:7:", StringComparison.Ordinal)),
            _ => ("get_file_info", new { path = $"{directory}/{file}" },
                text => text.Contains(Encoding.UTF8.GetByteCount(Content(directory, file)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)),
        };
    }

    private static string Content(string directory, string file) =>
        string.Concat(Enumerable.Range(1, 20).Select(n => $"{directory}/{file} line {n}\n"));

    private static double ResidentMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
