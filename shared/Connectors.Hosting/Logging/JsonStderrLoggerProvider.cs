using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Connectors.Hosting.Logging;

/// <summary>
/// Structured JSON logs, one object per line, on stderr (stdout carries the protocol on stdio).
/// Every string passes through the <see cref="SecretRedactor"/>.
/// </summary>
public sealed class JsonStderrLoggerProvider(SecretRedactor redactor, TextWriter? output = null) : ILoggerProvider, ISupportExternalScope
{
    private readonly TextWriter _output = output ?? Console.Error;
    private readonly object _writeGate = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new JsonLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow.ToString("O"));
            json.WriteString("level", level.ToString());
            json.WriteString("category", category);
            if (eventId.Id != 0)
            {
                json.WriteNumber("eventId", eventId.Id);
            }

            json.WriteString("message", redactor.Redact(formatter(state, exception)));
            if (Activity.Current is { } activity)
            {
                json.WriteString("traceId", activity.TraceId.ToHexString());
            }

            // A property named in both the message and a scope (e.g. the tool) is written once: JSON keys must be unique.
            var written = new HashSet<string>(StringComparer.Ordinal) { "timestamp", "level", "category", "eventId", "message", "traceId", "exception" };
            WriteProperties(json, state, written);
            _scopes.ForEachScope((scope, s) => WriteProperties(s.Json, scope, s.Written), (Json: json, Written: written));
            if (exception is not null)
            {
                json.WriteStartObject("exception");
                json.WriteString("type", exception.GetType().FullName);
                json.WriteString("message", redactor.Redact(exception.Message));
                json.WriteString("stackTrace", redactor.Redact(exception.StackTrace ?? ""));
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_writeGate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }

    private void WriteProperties(Utf8JsonWriter json, object? state, HashSet<string> written)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> properties)
        {
            return;
        }

        foreach (var (key, value) in properties)
        {
            if (key == "{OriginalFormat}" || key.Length == 0)
            {
                continue;
            }

            var name = char.ToLowerInvariant(key[0]) + key[1..];
            if (!written.Add(name))
            {
                continue;
            }

            switch (value)
            {
                case null:
                    json.WriteNull(name);
                    break;
                case int or long or double or float or decimal or short:
                    json.WriteNumber(name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case bool b:
                    json.WriteBoolean(name, b);
                    break;
                default:
                    json.WriteString(name, redactor.Redact(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
                    break;
            }
        }
    }

    private sealed class JsonLogger(JsonStderrLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
