using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;

namespace Connectors.Hosting.Security;

/// <summary>
/// The audit trail: one JSON line per tool call with who, what, the outcome and how long. Argument values are never
/// written: the line names the arguments, marks the sensitive ones and carries a SHA-256 of the others, enough to match
/// a call against a suspected payload without storing it. Goes to stderr, or to a file rotated by size.
/// </summary>
internal sealed partial class AuditLog : IDisposable
{
    private const int KeptFiles = 5;

    private readonly string _server;
    private readonly SecretRedactor _redactor;
    private readonly string? _path;
    private readonly long _maxBytes;
    private readonly object _gate = new();
    private static readonly JsonWriterOptions s_jsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private Stream? _output;
    private long _size;

    public AuditLog(ConnectorSettings settings, string server, SecretRedactor redactor)
    {
        _server = server;
        _redactor = redactor;
        var target = settings.Get(SecurityOptions.AuditLog).Trim();
        Enabled = !target.Equals("off", StringComparison.OrdinalIgnoreCase);
        _maxBytes = settings.Get(SecurityOptions.AuditMaxFileBytes);
        if (!Enabled || target.Length == 0 || target.Equals("stderr", StringComparison.OrdinalIgnoreCase))
        {
            _output = Enabled ? Console.OpenStandardError() : null;
            return;
        }

        _path = Path.GetFullPath(target);
        try
        {
            OpenFile();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConnectorConfigurationException($"--audit-log (from {settings.SourceOf(SecurityOptions.AuditLog)}): '{_path}' cannot be written ({ex.GetType().Name}).");
        }
    }

    public bool Enabled { get; }

    public void Record(CallerIdentity caller, string tool, IDictionary<string, JsonElement>? arguments, string outcome, TimeSpan duration, string correlationId)
    {
        if (!Enabled)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, s_jsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("audit", "tool_call");
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("server", _server);
            json.WriteString("identity", Clean(caller.Name));
            json.WriteString("authMethod", caller.Method);
            json.WriteString("tool", Clean(tool));
            WriteArgumentDigest(json, arguments);
            json.WriteString("outcome", outcome);
            json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
            json.WriteString("correlationId", correlationId);
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        lock (_gate)
        {
            if (_output is null)
            {
                return;
            }

            if (_path is not null && _size > 0 && _size + buffer.WrittenCount > _maxBytes)
            {
                Rotate();
            }

            // One write per line: lines from concurrent calls never interleave, and a crash loses at most the line in hand.
            _output.Write(buffer.WrittenSpan);
            _output.Flush();
            _size += buffer.WrittenCount;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _output?.Dispose();
            _output = null;
        }
    }

    private void WriteArgumentDigest(Utf8JsonWriter json, IDictionary<string, JsonElement>? arguments)
    {
        json.WriteStartObject("arguments");
        json.WriteStartArray("names");
        var hashed = new List<KeyValuePair<string, JsonElement>>();
        var redacted = new List<string>();
        foreach (var (name, value) in (arguments ?? new Dictionary<string, JsonElement>()).OrderBy(a => a.Key, StringComparer.Ordinal).Take(64))
        {
            json.WriteStringValue(Clean(name));
            if (SensitiveName().IsMatch(name))
            {
                redacted.Add(Clean(name));
            }
            else
            {
                hashed.Add(new(name, value));
            }
        }

        json.WriteEndArray();
        json.WriteStartArray("redacted");
        redacted.ForEach(json.WriteStringValue);
        json.WriteEndArray();

        var canonical = new ArrayBufferWriter<byte>(256);
        foreach (var (name, value) in hashed)
        {
            canonical.Write(Encoding.UTF8.GetBytes(name));
            canonical.Write("\0"u8);
            canonical.Write(Encoding.UTF8.GetBytes(value.GetRawText()));
            canonical.Write("\0"u8);
        }

        json.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(canonical.WrittenSpan)));
        json.WriteEndObject();
    }

    /// <summary>Names come from clients: bounded, and any configured secret in them masked.</summary>
    private string Clean(string text) => _redactor.Redact(text.Length <= 128 ? text : text[..128] + "…");

    private void OpenFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _output = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.Read);
        _size = _output.Length;
    }

    private void Rotate()
    {
        _output!.Dispose();
        for (var i = KeptFiles - 1; i >= 1; i--)
        {
            var from = $"{_path}.{i}";
            if (File.Exists(from))
            {
                File.Move(from, $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path!, $"{_path}.1", overwrite: true);
        OpenFile();
    }

    [GeneratedRegex("pass|pwd|secret|token|key|auth|credential|cookie|connection|session", RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveName();
}
