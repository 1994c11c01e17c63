namespace Connectors.Resilience.Tests;

/// <summary>
/// An API emulator and one server process over HTTP in front of it, shared by a test class: every fault a test injects
/// must leave the server healthy for the next.
/// </summary>
public abstract class EmulatedUpstream<TEmulator> : IAsyncLifetime
    where TEmulator : class, IAsyncDisposable
{
    private int _calls;

    public TEmulator Emulator { get; private set; } = null!;

    public ServerProcess Server { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(3) };

    public async ValueTask InitializeAsync()
    {
        Emulator = await StartEmulatorAsync();
        Server = await StartServerAsync(Emulator);
    }

    internal Task<ToolAnswer> CallAsync(string tool, object arguments) =>
        McpHttp.CallToolAsync(Http, Server.McpUrl, $"call-{Interlocked.Increment(ref _calls)}", tool, arguments);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await Emulator.DisposeAsync();

        // xunit.v3's IAsyncLifetime is IAsyncDisposable, and this class is open to subclasses (CA1816).
        GC.SuppressFinalize(this);
    }

    protected abstract Task<TEmulator> StartEmulatorAsync();

    protected abstract Task<ServerProcess> StartServerAsync(TEmulator emulator);
}
