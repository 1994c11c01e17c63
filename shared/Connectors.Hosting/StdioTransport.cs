using System.Threading.Channels;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting;

/// <summary>
/// The stdio transport: the SDK's <see cref="StreamServerTransport"/> reads the client's messages, and messages to the
/// client are written here with <see cref="JsonRpcWriter"/> (the same bytes, one escaping pass fewer for large results,
/// into one buffer kept for the next message instead of a new array per message).
/// </summary>
internal sealed class StdioTransport(StreamServerTransport input, Stream output) : ITransport
{
    private const int KeptBufferBytes = 1024 * 1024;
    private static readonly byte[] s_newline = "\n"u8.ToArray();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private MessageBuffer _buffer = new();

    public string? SessionId => input.SessionId;

    public ChannelReader<JsonRpcMessage> MessageReader => input.MessageReader;

    public async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        if (!input.IsConnected)
        {
            return;
        }

        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            _buffer.Clear();
            JsonRpcWriter.Write(message, _buffer);
            await output.WriteAsync(_buffer.WrittenMemory, cancellationToken);
            await output.WriteAsync(s_newline, cancellationToken);
            await output.FlushAsync(cancellationToken);
            if (_buffer.Capacity > KeptBufferBytes)
            {
                // A large message leaves its text several times over as dead large objects (the tool's string, the SDK's
                // parsed copy, this buffer), and the large-object budget lets them pile up answer after answer (RSS +50–130 MB
                // per 11 MB answer in eng/bench-database.sh). The buffer is let go and a background collection keeps memory flat.
                _buffer = new MessageBuffer();
                GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As the SDK's transport does: the session sees a failed send, never the serializer's or the pipe's exception.
            throw new IOException("Failed to send message.", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await input.DisposeAsync();
        await output.DisposeAsync();
        _sendLock.Dispose();
    }
}
