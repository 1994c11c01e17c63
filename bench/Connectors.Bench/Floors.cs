namespace Connectors.Bench;

/// <summary>Physical floors: a plain process doing the least the workload needs (find, grep, psql COPY, hello world).</summary>
internal static class Floors
{
    /// <summary>
    /// Runs the program once to warm the page cache, then <paramref name="runs"/> more times; each sample is the time
    /// from process start to exit with its whole stdout read, and the reply is the number of bytes it wrote.
    /// </summary>
    public static Measurement Process(string server, string workload, int runs, string program, params string[] arguments)
    {
        var times = new List<double>();
        long bytes = 0;
        var buffer = new byte[81920];
        for (var run = 0; run <= runs; run++)
        {
            var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            var clock = Stopwatch.StartNew();
            using var process = System.Diagnostics.Process.Start(startInfo)!;
            var stdout = process.StandardOutput.BaseStream;
            long written = 0;
            for (int read; (read = stdout.Read(buffer)) > 0;)
            {
                written += read;
            }

            process.WaitForExit();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"floor '{workload}' ({program}) exited with {process.ExitCode}");
            }

            if (run > 0)
            {
                times.Add(elapsed);
            }

            bytes = written;
        }

        return new Measurement(server, Who.Floor, workload, "ms", times, bytes);
    }

    /// <summary>
    /// The cheapest PostgreSQL round trip a .NET server can make: Npgsql's <c>SELECT 1</c> on a pooled connection, one call
    /// per millisecond so that threads go idle between calls as they do in a server waiting for its client. Each run's
    /// sample is the p50 of <paramref name="calls"/> calls.
    /// </summary>
    public static async Task<Measurement> PostgresRoundTripAsync(string server, int runs, int calls, string connectionString)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
        var medians = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var times = new List<double>();
            for (var call = 0; call < 20 + calls; call++)
            {
                var clock = Stopwatch.GetTimestamp();
                await using (var connection = await source.OpenConnectionAsync())
                await using (var command = new Npgsql.NpgsqlCommand("SELECT 1", connection))
                {
                    await command.ExecuteScalarAsync();
                }

                if (call >= 20)
                {
                    times.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
                }

                Thread.Sleep(1);
            }

            medians.Add(Measure.Percentile(times, 50));
        }

        return new Measurement(server, Who.Floor, $"PostgreSQL round trip from .NET (Npgsql SELECT 1, idle 1 ms between), p50 of {calls}", "ms", medians);
    }

    /// <summary>Name of the ready-time floor: a .NET hello-world console app, published as the servers are (Native AOT), from start to exit.</summary>
    public const string HelloWorld = ".NET hello-world process (start to exit)";

    public static Measurement HelloWorldReady(string server, int runs, string helloCommand) =>
        Process(server, HelloWorld, runs, helloCommand);
}
