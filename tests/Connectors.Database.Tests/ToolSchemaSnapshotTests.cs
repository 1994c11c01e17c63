namespace Connectors.Database.Tests;

/// <summary>Any change to the tool list shows up here; to accept one, run with UPDATE_SNAPSHOTS=1 and review Snapshots/tools.json.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ToolSchemaSnapshotTests(DatabaseCluster cluster)
{
    [Fact]
    public async Task The_tool_list_matches_the_reviewed_snapshot()
    {
        var mcp = await cluster.SharedServerAsync();
        var (expected, actual) = await ToolSchemaSnapshot.ReadAsync(mcp.Client, "Connectors.Database.Tests");
        Assert.NotNull(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_tool_list_a_model_sees_stays_within_8_kilobytes()
    {
        var mcp = await cluster.SharedServerAsync();
        var bytes = await ToolSchemaSnapshot.ModelVisibleBytesAsync(mcp.Client);
        Assert.True(bytes <= 8 * 1024, $"{bytes} bytes");
    }
}
