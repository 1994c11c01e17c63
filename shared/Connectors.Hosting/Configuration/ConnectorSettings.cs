using System.Text.Json;

namespace Connectors.Hosting.Configuration;

/// <summary>The resolved, validated settings of one server process.</summary>
public sealed class ConnectorSettings
{
    private readonly Dictionary<ConnectorOption, object?> _values;
    private readonly Dictionary<ConnectorOption, string> _sources;
    private readonly JsonElement? _configRoot;

    internal ConnectorSettings(
        Dictionary<ConnectorOption, object?> values,
        Dictionary<ConnectorOption, string> sources,
        JsonElement? configRoot,
        string? configFilePath)
    {
        _values = values;
        _sources = sources;
        _configRoot = configRoot;
        ConfigFilePath = configFilePath;
    }

    public string? ConfigFilePath { get; }

    /// <summary>One warning per earlier spelling in use (flag, environment variable or config key), naming the current one.</summary>
    public IReadOnlyList<string> Deprecations { get; init; } = [];

    public T Get<T>(ConnectorOption<T> option) =>
        _values.TryGetValue(option, out var value) ? (T)value! : option.Default;

    /// <summary>Where a value came from, for messages: e.g. <c>--roots</c>, <c>env CONNECTORS_FILESYSTEM_ROOTS</c>, <c>config key filesystem.roots</c>.</summary>
    public string SourceOf(ConnectorOption option) => _sources.TryGetValue(option, out var s) ? s : "default";

    /// <summary>A server-specific section of the config file (e.g. database profiles), if present.</summary>
    public JsonElement? Section(string key) =>
        _configRoot is { } root && root.TryGetProperty(key, out var section) ? section : null;

    /// <summary>Every secret value in effect, for redaction.</summary>
    public IEnumerable<string> SecretValues() =>
        _values.SelectMany(kv => kv.Key.SecretsIn(kv.Value));

    /// <summary>
    /// Refuses secret options given as command-line arguments, which any local user can read from the process list (ps,
    /// /proc/&lt;pid&gt;/cmdline). The message names the option and its safer forms, never the value.
    /// </summary>
    internal void RefuseSecretsOnCommandLine()
    {
        var exposed = _sources.Where(kv => kv.Key.IsSecret && kv.Value.StartsWith("--", StringComparison.Ordinal) &&
            (kv.Key.SecretPartsOf is null || kv.Key.SecretsIn(_values.GetValueOrDefault(kv.Key)).Count > 0)).Select(kv => kv.Key).ToList();
        if (exposed.Count > 0)
        {
            throw new ConnectorConfigurationException(string.Join(Environment.NewLine, exposed.Select(option =>
                $"{option.Name} was given on the command line, where other local users can read it in the process list; " +
                $"set {option.EnvironmentVariable}, or {option.EnvironmentVariable}_FILE naming a file that holds it, instead.")));
        }
    }

    /// <summary>Settings built from option values alone (tests, embedding).</summary>
    public static ConnectorSettings From(IReadOnlyDictionary<ConnectorOption, object?> values) =>
        new(values.ToDictionary(kv => kv.Key, kv => kv.Value), values.Keys.ToDictionary(k => k, _ => "code"), null, null);
}
