using System.Diagnostics;

namespace Connectors.Testing;

/// <summary>Settings Testcontainers reads once, applied before its first use.</summary>
public static class TestcontainersDefaults
{
    private static readonly Lazy<bool> s_applied = new(() =>
    {
        // Testcontainers' reaper (Ryuk) is an image pulled from a registry. Where it is not on the machine (no registry
        // here), it stays off and the tests remove the containers they start themselves.
        if (Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED") is null && !HasImage("testcontainers/ryuk"))
        {
            Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        }

        return true;
    });

    public static void Apply() => _ = s_applied.Value;

    private static bool HasImage(string reference)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", ["image", "ls", "--quiet", reference])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Trim().Length > 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
