using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing;

/// <summary>One span as an OTLP exporter sent it. Ids are lower-case hex; <see cref="ParentSpanId"/> is empty for a root.</summary>
public sealed record OtlpSpan(
    string Scope,
    string Name,
    OtlpSpanKind Kind,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    int StatusCode,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyDictionary<string, object?> Resource);

/// <summary>OTLP's SpanKind numbers.</summary>
public enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>
/// An OTLP/HTTP collector on 127.0.0.1 (random port) for tests: it decodes the protobuf bodies a server's exporter posts to
/// <c>/v1/traces</c> and <c>/v1/metrics</c> (the few fields tests read, straight from the wire format) and keeps them.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<(string Scope, string Name)> _metrics = [];

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c>, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The environment that makes a server export here over OTLP/HTTP, quickly.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
    };

    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>(instrumentation scope, metric name) of every metric received.</summary>
    public IReadOnlyList<(string Scope, string Name)> Metrics
    {
        get
        {
            lock (_metrics)
            {
                return [.. _metrics];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var app = LoopbackWebApp.Create();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", (RequestDelegate)(context => receiver.ReceiveAsync(context, receiver.ReadTraces)));
        app.MapPost("/v1/metrics", (RequestDelegate)(context => receiver.ReceiveAsync(context, receiver.ReadMetrics)));
        app.MapPost("/v1/logs", (RequestDelegate)(context => receiver.ReceiveAsync(context, _ => { })));
        receiver.Endpoint = await LoopbackWebApp.StartAsync(app);
        return receiver;
    }

    /// <summary>Waits until the spans received satisfy <paramref name="done"/> and returns them.</summary>
    public async Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(Func<IReadOnlyList<OtlpSpan>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans;
            if (done(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The spans expected did not arrive within {timeout.TotalSeconds:0} s; received: " +
                    string.Join(", ", spans.Select(s => $"{s.Scope}:{s.Name}({s.Kind})")));
            }

            await Task.Delay(50);
        }
    }

    public async Task<IReadOnlyList<(string Scope, string Name)>> WaitForMetricsAsync(Func<IReadOnlyList<(string Scope, string Name)>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done(Metrics))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The metrics expected did not arrive within {timeout.TotalSeconds:0} s; received: " +
                    string.Join(", ", Metrics.Select(m => $"{m.Scope}:{m.Name}").Distinct()));
            }

            await Task.Delay(50);
        }

        return Metrics;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task ReceiveAsync(HttpContext context, Action<byte[]> read)
    {
        using var body = new MemoryStream();
        var input = context.Request.Headers.ContentEncoding == "gzip" ? new GZipStream(context.Request.Body, CompressionMode.Decompress) : context.Request.Body;
        await input.CopyToAsync(body);
        read(body.ToArray());
        context.Response.ContentType = "application/x-protobuf";
    }

    // ExportTraceServiceRequest: 1 resource_spans { 1 resource { 1 attributes }, 2 scope_spans { 1 scope { 1 name }, 2 spans } }.
    private void ReadTraces(byte[] payload)
    {
        foreach (var resourceSpans in Fields(payload, 1))
        {
            var resource = Fields(resourceSpans, 1).Select(r => Attributes(r, 1)).FirstOrDefault() ?? new Dictionary<string, object?>();
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = ScopeName(scopeSpans);
                foreach (var span in Fields(scopeSpans, 2))
                {
                    var status = Fields(span, 15).Select(s => (int)Varints(s, 3).FirstOrDefault()).FirstOrDefault();
                    var parsed = new OtlpSpan(
                        scope,
                        Text(Fields(span, 5).FirstOrDefault()),
                        (OtlpSpanKind)Varints(span, 6).FirstOrDefault(),
                        Hex(Fields(span, 1).FirstOrDefault()),
                        Hex(Fields(span, 2).FirstOrDefault()),
                        Hex(Fields(span, 4).FirstOrDefault()),
                        status,
                        Attributes(span, 9),
                        resource);
                    lock (_spans)
                    {
                        _spans.Add(parsed);
                    }
                }
            }
        }
    }

    // ExportMetricsServiceRequest: 1 resource_metrics { 2 scope_metrics { 1 scope { 1 name }, 2 metrics { 1 name } } }.
    private void ReadMetrics(byte[] payload)
    {
        foreach (var resourceMetrics in Fields(payload, 1))
        {
            foreach (var scopeMetrics in Fields(resourceMetrics, 2))
            {
                var scope = ScopeName(scopeMetrics);
                foreach (var metric in Fields(scopeMetrics, 2))
                {
                    lock (_metrics)
                    {
                        _metrics.Add((scope, Text(Fields(metric, 1).FirstOrDefault())));
                    }
                }
            }
        }
    }

    private static string ScopeName(byte[] scoped) => Text(Fields(scoped, 1).Select(scope => Fields(scope, 1).FirstOrDefault()).FirstOrDefault());

    // KeyValue { 1 key, 2 AnyValue { 1 string, 2 bool, 3 int64, 4 double } }; other value kinds are kept as their bytes.
    private static Dictionary<string, object?> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in Fields(message, field))
        {
            var key = Text(Fields(pair, 1).FirstOrDefault());
            var value = Fields(pair, 2).FirstOrDefault() ?? [];
            object? decoded = null;
            foreach (var (number, wireType, bytes, varint) in Read(value))
            {
                decoded = (number, wireType) switch
                {
                    (1, 2) => Encoding.UTF8.GetString(bytes),
                    (2, 0) => varint != 0,
                    (3, 0) => (long)varint,
                    (4, 1) => BitConverter.Int64BitsToDouble((long)varint),
                    _ => bytes,
                };
            }

            attributes[key] = decoded;
        }

        return attributes;
    }

    private static IEnumerable<byte[]> Fields(byte[]? message, int number) =>
        message is null ? [] : Read(message).Where(f => f.Number == number && f.WireType == 2).Select(f => f.Bytes);

    private static IEnumerable<ulong> Varints(byte[] message, int number) =>
        Read(message).Where(f => f.Number == number && f.WireType == 0).Select(f => f.Varint);

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    /// <summary>The fields of one protobuf message: varints (0), fixed64 (1), length-delimited (2) and fixed32 (5).</summary>
    private static List<(int Number, int WireType, byte[] Bytes, ulong Varint)> Read(byte[] message)
    {
        var fields = new List<(int, int, byte[], ulong)>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add((number, wireType, [], ReadVarint(message, ref position)));
                    break;
                case 1:
                    fields.Add((number, wireType, message[position..(position + 8)], BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(position))));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    fields.Add((number, wireType, message[position..(position + length)], 0));
                    position += length;
                    break;
                case 5:
                    fields.Add((number, wireType, message[position..(position + 4)], BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(position))));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {wireType} at byte {position}.");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint longer than 10 bytes.");
    }
}
