namespace Connectors.Filesystem.Tests;

/// <summary>Any change to the tool list shows up here; to accept one, run with UPDATE_SNAPSHOTS=1 and review Snapshots/tools.json.</summary>
public sealed class ToolSchemaSnapshotTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task The_tool_list_matches_the_reviewed_snapshot()
    {
        await using var mcp = await InMemoryMcp.StartAsync(FilesystemServer.Create(), ["--roots", _tree.Root, "--allow-write"]);
        var (expected, actual) = await ToolSchemaSnapshot.ReadAsync(mcp.Client, "Connectors.Filesystem.Tests");
        Assert.NotNull(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_default_tool_list_a_model_sees_stays_within_8_kilobytes()
    {
        await using var mcp = await InMemoryMcp.StartAsync(FilesystemServer.Create(), ["--roots", _tree.Root]);
        var bytes = await ToolSchemaSnapshot.ModelVisibleBytesAsync(mcp.Client);
        Assert.True(bytes <= 8 * 1024, $"{bytes} bytes");
    }
}
