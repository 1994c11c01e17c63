using System.Text.Json;
using Xunit;

namespace Connectors.Testing;

/// <summary>Runs one scenario of the official MCP conformance suite (eng/node) against a server's HTTP endpoint.</summary>
public static class Conformance
{
    /// <summary>Fails the test unless the suite exits 0 and every check it recorded is SUCCESS (and there is at least one).</summary>
    public static async Task AssertScenarioPassesAsync(Uri baseUrl, string scenario)
    {
        var url = $"http://localhost:{baseUrl.Port}/mcp";
        var results = Directory.CreateTempSubdirectory("connectors-conformance-").FullName;
        try
        {
            var (exit, stdout, stderr) = await NodeTools.RunAsync("conformance", ["server", "--url", url, "--scenario", scenario, "-o", results], TimeSpan.FromMinutes(2));

            Assert.True(exit == 0, $"{stdout}\n{stderr}");
            var checks = Directory.GetFiles(results, "checks.json", SearchOption.AllDirectories).Single();
            var statuses = JsonDocument.Parse(await File.ReadAllTextAsync(checks)).RootElement.EnumerateArray()
                .Select(c => (Id: c.GetProperty("id").GetString(), Status: c.GetProperty("status").GetString())).ToList();
            Assert.NotEmpty(statuses);
            Assert.All(statuses, c => Assert.True(c.Status == "SUCCESS", $"{c.Id}: {c.Status}\n{stdout}"));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }
}
