using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;

namespace Connectors.Testing;

/// <summary>
/// A server's tools/list answer is part of its contract with clients and prompts; each test project keeps it in
/// Snapshots/tools.json. With UPDATE_SNAPSHOTS=1 the snapshot is rewritten from the server, to be reviewed in the diff.
/// </summary>
public static class ToolSchemaSnapshot
{
    /// <returns>The reviewed snapshot (null when there is none) and the server's current answer, both normalized.</returns>
    public static async Task<(string? Expected, string Actual)> ReadAsync(McpClient client, string testProject)
    {
        var tools = await client.ListToolsAsync();
        var actual = new JsonArray([.. tools.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => JsonSerializer.SerializeToNode(t.ProtocolTool, ModelContextProtocol.McpJsonUtilities.DefaultOptions))])
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        var source = Path.Combine(NodeTools.RepositoryRoot(), "tests", testProject, "Snapshots", "tools.json");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(source, actual);
        }

        return (File.Exists(source) ? (await File.ReadAllTextAsync(source)).ReplaceLineEndings("\n") : null, actual);
    }

    /// <summary>
    /// The bytes of <c>tools/list</c> a model sees: clients keep the output schemas for validating results and leave
    /// them out of its context.
    /// </summary>
    public static async Task<int> ModelVisibleBytesAsync(McpClient client)
    {
        var tools = await client.ListToolsAsync();
        var seen = new JsonArray([.. tools.Select(t =>
        {
            var node = JsonSerializer.SerializeToNode(t.ProtocolTool, ModelContextProtocol.McpJsonUtilities.DefaultOptions)!.AsObject();
            node.Remove("outputSchema");
            return (JsonNode?)node;
        })]);
        return System.Text.Encoding.UTF8.GetByteCount(seen.ToJsonString());
    }
}
