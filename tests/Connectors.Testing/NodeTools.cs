using System.Diagnostics;

namespace Connectors.Testing;

/// <summary>
/// The Node tools the test run installs in <c>eng/node</c> (eng/test.sh runs <c>npm ci</c> there): the official MCP
/// conformance suite, the MCP Inspector CLI, and the TypeScript SDK that the scripts beside them use.
/// </summary>
public static class NodeTools
{
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Connectors.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Connectors.sln not found above the test output.");
    }

    public static string Bin(string name)
    {
        var path = Path.Combine(RepositoryRoot(), "eng", "node", "node_modules", ".bin", name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{name} is not installed. Run the tests with eng/test.sh, which installs Node and the tools in eng/node.", path);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, IEnumerable<string> args, TimeSpan timeout) =>
        RunProcessAsync(Bin(tool), tool, args, timeout);

    /// <summary>Runs one of the scripts in <c>eng/node</c> with node.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        var sdk = Path.Combine(RepositoryRoot(), "eng", "node", "node_modules", "@modelcontextprotocol", "sdk", "package.json");
        if (!File.Exists(sdk))
        {
            throw new FileNotFoundException("The TypeScript MCP SDK is not installed. Run the tests with eng/test.sh, which installs the Node tools in eng/node.", sdk);
        }

        return RunProcessAsync("node", script, [Path.Combine(RepositoryRoot(), "eng", "node", script), .. args], timeout);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string executable, string tool, IEnumerable<string> args, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryRoot(), "eng", "node"),
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within {timeout}. Output so far: {await stdout}{await stderr}");
        }

        return (process.ExitCode, StripAnsi(await stdout), StripAnsi(await stderr));
    }

    private static string StripAnsi(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\x1b\[[0-9;]*m", "");
}
