namespace Connectors.Container.Tests;

/// <summary>
/// Figures the container tests measure (image sizes, time to ready), appended to the file CONNECTORS_TEST_MEASUREMENTS
/// names (eng/test.sh prints it at the end) and written to stderr.
/// </summary>
public static class Measurements
{
    private static readonly Lock s_lock = new();

    public static void Record(string line)
    {
        Console.Error.WriteLine($"[measure] {line}");
        if (Environment.GetEnvironmentVariable("CONNECTORS_TEST_MEASUREMENTS") is { Length: > 0 } path)
        {
            lock (s_lock)
            {
                File.AppendAllLines(path, [line]);
            }
        }
    }
}
