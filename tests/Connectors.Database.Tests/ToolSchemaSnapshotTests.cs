using System.Text.Json;
using System.Text.Json.Nodes;
using Connectors.Testing;

namespace Connectors.Database.Tests;

/// <summary>
/// The tools/list answer is part of our contract with clients and prompts. Any change shows up here; to accept one,
/// run the tests with UPDATE_SNAPSHOTS=1 and review the diff of Snapshots/tools.json.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ToolSchemaSnapshotTests(PostgresCluster cluster)
{
    [Fact]
    public async Task The_tool_list_matches_the_reviewed_snapshot()
    {
        var mcp = await cluster.SharedServerAsync();
        var tools = await mcp.Client.ListToolsAsync();
        var actual = new JsonArray([.. tools.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => JsonSerializer.SerializeToNode(t.ProtocolTool, ModelContextProtocol.McpJsonUtilities.DefaultOptions))]);
        var actualText = actual.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        var source = Path.Combine(NodeTools.RepositoryRoot(), "tests", "Connectors.Database.Tests", "Snapshots", "tools.json");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(source, actualText);
        }

        Assert.True(File.Exists(source), $"No snapshot at {source}; run with UPDATE_SNAPSHOTS=1 to create it.");
        Assert.Equal((await File.ReadAllTextAsync(source)).ReplaceLineEndings("\n"), actualText);
    }
}
