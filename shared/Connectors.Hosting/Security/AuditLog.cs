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
    private TextWriter? _writer;
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
            _writer = Enabled ? Console.Error : null;
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
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("audit", "tool_call");
            json.WriteString("time", DateTimeOffset.UtcNow.ToString("O"));
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

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_gate)
        {
            if (_writer is null)
            {
                return;
            }

            if (_path is not null && _size > 0 && _size + buffer.WrittenCount + 1 > _maxBytes)
            {
                Rotate();
            }

            _writer!.WriteLine(line);
            _writer.Flush();
            _size += buffer.WrittenCount + 1;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_path is not null)
            {
                _writer?.Dispose();
            }

            _writer = null;
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

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, value) in hashed)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(value.GetRawText()));
            hash.AppendData([0]);
        }

        json.WriteString("sha256", Convert.ToHexStringLower(hash.GetHashAndReset()));
        json.WriteEndObject();
    }

    /// <summary>Names come from clients: bounded, and any configured secret in them masked.</summary>
    private string Clean(string text) => _redactor.Redact(text.Length <= 128 ? text : text[..128] + "…");

    private void OpenFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var stream = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.Read);
        _size = stream.Length;
        _writer = new StreamWriter(stream, new UTF8Encoding(false));
    }

    private void Rotate()
    {
        _writer!.Dispose();
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
