namespace Connectors.Filesystem.Tests;

/// <summary>Tests of the filesystem server in memory, rooted in a fresh temporary tree that is removed afterwards.</summary>
public abstract class InMemoryFilesystemTests : IDisposable
{
    protected TempTree Tree { get; } = new();

    /// <summary>The command line every server of the class starts with; the test's own arguments follow.</summary>
    protected virtual string[] ServerArguments => ["--roots", Tree.Root];

    protected Task<InMemoryMcp> StartAsync(params string[] extra) =>
        InMemoryMcp.StartAsync(FilesystemServer.Create(), [.. ServerArguments, .. extra]);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Tree.Dispose();
        }
    }
}
