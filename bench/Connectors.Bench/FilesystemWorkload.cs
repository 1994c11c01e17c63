namespace Connectors.Bench;

/// <summary>
/// The filesystem workload of issue 4 on a generated tree (50,000 files, ~200 MB, 1,000 leaf directories): ready time,
/// idle RSS, glob search, literal content search, a directory tree and peak RSS, on our server and (when given) the Node
/// reference server in the same run, each run on a fresh process, next to the floors `find`, `grep -rl` and a .NET
/// hello-world process. Writes bench/results/filesystem.{csv,md}.
/// </summary>
internal static class FilesystemWorkload
{
    private const string Server = "filesystem";
    private const string Needle = "ZEBRA_NEEDLE_42";
    private const string Marker = ".bench-tree-v1";
    private const string FindFloor = "find -name '*.cs'";
    private const string GrepFloor = $"grep -rl {Needle}";
    private static readonly string[] Extensions = [".cs", ".txt", ".md", ".json", ".py"];

    /// <summary>filesystem &lt;runs&gt; &lt;tree-dir&gt; &lt;results-dir&gt; &lt;hello-world&gt; -- &lt;ours...&gt; [-- &lt;reference...&gt;]</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var commands = ServerCommands.Parse(args, 4);
        if (commands is null)
        {
            return 2;
        }

        var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
        var tree = Path.GetFullPath(args[1]);
        var resultsDirectory = args[2];
        var hello = args[3];

        Generate(tree);
        var rows = new List<Measurement>
        {
            Floors.HelloWorldReady(Server, runs, hello),
            Floors.Process(Server, FindFloor, runs, "find", tree, "-name", "*.cs"),
            Floors.Process(Server, GrepFloor, runs, "grep", "-rl", Needle, tree),
        };

        rows.AddRange(await MeasureServerAsync(Who.Connectors, [.. commands.Ours, "--roots", tree], tree, runs));
        if (commands.Reference is not null)
        {
            rows.AddRange(await MeasureServerAsync(Who.Reference, [.. commands.Reference, tree], tree, runs));
        }

        ResultFile.WriteAndShow(resultsDirectory, Server, "Filesystem workload (50,000-file tree)", rows);
        return 0;
    }

    /// <summary>Each run is a fresh process: every tool once after one warm-up call.</summary>
    private static Task<List<Measurement>> MeasureServerAsync(Who who, string[] command, string tree, int runs) =>
        SampleSet.OnFreshProcessesAsync(Server, who, command, runs, async (server, samples) =>
        {
            await samples.ToolAsync(server, "search_files **/*.cs", "search_files", new { path = tree, pattern = "**/*.cs" }, FindFloor);
            if (who == Who.Connectors)
            {
                // The reference has no content search.
                await samples.ToolAsync(server, $"search_content {Needle}", "search_content", new { path = tree, pattern = Needle, max_results = 100 }, GrepFloor);
            }

            await samples.ToolAsync(server, "directory_tree (default caps)", "directory_tree", new { path = tree });
        });

    /// <summary>40 x 25 leaf directories of 50 files (~4 KB of words each); the needle is planted in 10 files.</summary>
    private static void Generate(string tree)
    {
        if (File.Exists(Path.Combine(tree, Marker)))
        {
            return;
        }

        Console.Error.WriteLine($"[bench] generating {tree}");
        var random = new Random(42);
        string[] words = ["alpha", "beta", "gamma", "delta", "return", "class", "value", "index", "buffer", "stream", "public", "static", "async", "await"];
        var line = new StringBuilder();
        var number = 0;
        for (var top = 0; top < 40; top++)
        {
            for (var sub = 0; sub < 25; sub++)
            {
                var directory = Path.Combine(tree, $"pkg{top:D2}", $"mod{sub:D2}");
                Directory.CreateDirectory(directory);
                for (var file = 0; file < 50; file++, number++)
                {
                    var content = new StringBuilder(4200);
                    while (content.Length < 4000)
                    {
                        line.Clear();
                        for (var w = 0; w < 10; w++)
                        {
                            line.Append(words[random.Next(words.Length)]).Append(' ');
                        }

                        content.Append(line).Append('\n');
                    }

                    if (number % 5000 == 1234)
                    {
                        content.Append("planted: ").Append(Needle).Append('\n');
                    }

                    File.WriteAllText(Path.Combine(directory, $"file{file:D2}{Extensions[file % Extensions.Length]}"), content.ToString());
                }
            }
        }

        File.WriteAllText(Path.Combine(tree, Marker), "");
    }
}
