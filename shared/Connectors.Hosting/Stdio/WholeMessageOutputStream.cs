namespace Connectors.Hosting.Stdio;

/// <summary>
/// Standard output that keeps each newline-terminated message whole: a message written in several chunks holds the gate
/// from its first byte to its newline, so an error answered by <see cref="CheckedInputStream"/> can never land in the
/// middle of a message the SDK is writing.
/// </summary>
internal sealed class WholeMessageOutputStream(Stream output) : Stream
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _inMessage;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Writes one whole message (without its newline) between the SDK's messages.</summary>
    public async Task WriteMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await output.WriteAsync(message, cancellationToken);
            await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        if (!_inMessage)
        {
            await _gate.WaitAsync(cancellationToken);
            _inMessage = true;
        }

        try
        {
            await output.WriteAsync(buffer, cancellationToken);
        }
        catch
        {
            EndMessage();
            throw;
        }

        if (buffer.Span[^1] == (byte)'\n')
        {
            EndMessage();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

    public override void Flush() => output.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            output.Dispose();
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }

    private void EndMessage()
    {
        _inMessage = false;
        _gate.Release();
    }
}
