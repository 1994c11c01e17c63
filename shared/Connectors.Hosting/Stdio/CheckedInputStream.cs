using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Connectors.Hosting.Stdio;

/// <summary>
/// Standard input that passes the SDK only lines that are JSON-RPC messages. Any other line is answered here as JSON-RPC
/// asks — -32700 when it is not JSON, -32600 when it is JSON but not a message, -32600 when it is longer than the
/// request limit — under the request's id when one can be read from the line, else under a null id. (The SDK would
/// drop such lines silently, leaving a client waiting.) The over-long line is skipped without being held in memory.
/// </summary>
internal sealed class CheckedInputStream(Stream input, WholeMessageOutputStream output, int maxMessageBytes) : Stream
{
    private static readonly JsonTypeInfo s_message = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private readonly byte[] _readBuffer = new byte[16 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new();
    private byte[] _ready = [];
    private int _readyOffset;
    private int _readStart;
    private int _readEnd;
    private bool _skippingOverlongLine;
    private bool _endOfInput;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_readyOffset == _ready.Length)
        {
            if (!await NextMessageAsync(cancellationToken))
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _ready.Length - _readyOffset);
        _ready.AsSpan(_readyOffset, count).CopyTo(buffer.Span);
        _readyOffset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads up to the next line that is a message and makes it (with its newline) ready; false at the end.</summary>
    private async Task<bool> NextMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_readStart == _readEnd)
            {
                if (_endOfInput)
                {
                    return false;
                }

                _readStart = 0;
                _readEnd = await input.ReadAsync(_readBuffer, cancellationToken);
                if (_readEnd == 0)
                {
                    // A last line without its newline is still a line.
                    _endOfInput = true;
                    if (_line.WrittenCount > 0 && await AcceptLineAsync(cancellationToken))
                    {
                        return true;
                    }

                    continue;
                }
            }

            var chunk = _readBuffer.AsSpan(_readStart, _readEnd - _readStart);
            var newline = chunk.IndexOf((byte)'\n');
            var part = newline < 0 ? chunk : chunk[..newline];
            _readStart += newline < 0 ? chunk.Length : newline + 1;
            if (!_skippingOverlongLine)
            {
                // Keep the line up to the limit, so the id of an over-long request can still be read from its start.
                var room = maxMessageBytes - _line.WrittenCount;
                _line.Write(part[..Math.Min(room, part.Length)]);
                if (part.Length > room)
                {
                    _skippingOverlongLine = true;
                    await AnswerAsync(RequestIdIn(_line.WrittenSpan), -32600,
                        $"Invalid Request: the message is longer than the limit of {maxMessageBytes} bytes (--max-request-bytes).", cancellationToken);
                    _line.Clear();
                }
            }

            if (newline < 0)
            {
                continue;
            }

            if (_skippingOverlongLine)
            {
                _skippingOverlongLine = false;
                continue;
            }

            if (await AcceptLineAsync(cancellationToken))
            {
                return true;
            }
        }
    }

    /// <summary>Makes the collected line ready when it is a message; otherwise answers it. Blank lines are ignored.</summary>
    private async Task<bool> AcceptLineAsync(CancellationToken cancellationToken)
    {
        var line = _line.WrittenSpan.TrimEnd("\r"u8);
        try
        {
            if (line.IsEmpty || line.IndexOfAnyExcept(" \t"u8) < 0)
            {
                return false;
            }

            var problem = Problem(line);
            if (problem is null)
            {
                _ready = [.. line, (byte)'\n'];
                _readyOffset = 0;
                return true;
            }

            await AnswerAsync(RequestIdIn(line), problem.Value.Code, problem.Value.Message, cancellationToken);
            return false;
        }
        finally
        {
            _line.Clear();
        }
    }

    private static (int Code, string Message)? Problem(ReadOnlySpan<byte> line)
    {
        // The deserializer reads the whole line and throws on any malformed JSON, so a line it accepts is both valid JSON
        // and a message; only a rejected line needs the separate reader pass that tells the two errors apart.
        try
        {
            if (JsonSerializer.Deserialize(line, s_message) is JsonRpcMessage)
            {
                return null;
            }
        }
        catch (JsonException)
        {
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return (-32700, "Parse error: the message is not valid JSON.");
        }

        return (-32600, "Invalid Request: the message is not a JSON-RPC 2.0 request, notification or response.");
    }

    /// <summary>The string or number <c>id</c> of the top-level object, read as far as the line is well formed.</summary>
    private static string? RequestIdIn(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 4096 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isId && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                {
                    return reader.TokenType == JsonTokenType.String
                        ? Quoted(reader.GetString()!)
                        : Encoding.UTF8.GetString(reader.ValueSpan);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private Task AnswerAsync(string? id, int code, string message, CancellationToken cancellationToken)
    {
        var answer = $"{{\"jsonrpc\":\"2.0\",\"id\":{id ?? "null"},\"error\":{{\"code\":{code.ToString(CultureInfo.InvariantCulture)},\"message\":{Quoted(message)}}}}}";
        return output.WriteMessageAsync(Encoding.UTF8.GetBytes(answer), cancellationToken);
    }

    private static string Quoted(string text) => "\"" + JsonEncodedText.Encode(text) + "\"";
}
