using System.CommandLine;
using System.Text.Json;

namespace Connectors.Hosting.Configuration;

/// <summary>
/// Resolves every option from, in order of precedence: the command line, the environment
/// (secrets also from a file named by <c>&lt;NAME&gt;_FILE</c>), the JSON config file, the default.
/// </summary>
internal sealed class SettingsResolver(
    IReadOnlyList<ConnectorOption> options,
    IReadOnlyCollection<string> configSections,
    Func<string, string?> environment)
{
    private static readonly JsonDocumentOptions s_configJsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public ConnectorSettings Resolve(ParseResult parseResult, ConnectorCommandLine command)
    {
        var errors = new List<string>();
        var deprecations = new List<string>();
        var configPath = ResolveConfigPath(parseResult, command.CliOptions);
        var configRoot = configPath is null ? null : LoadConfig(configPath, errors);
        if (configRoot is { } root)
        {
            CheckKnownKeys(root, "", errors, configPath!);
        }

        var values = new Dictionary<ConnectorOption, object?>();
        var sources = new Dictionary<ConnectorOption, string>();
        foreach (var option in options)
        {
            if (!TryReadRaw(option, command.Given(parseResult, option), configRoot, errors, deprecations, out var raw, out var source))
            {
                values[option] = option.DefaultValue;
                continue;
            }

            try
            {
                var value = option.Convert(raw);
                if (option.Check(value) is { } problem)
                {
                    errors.Add($"{Describe(option, source)}: {problem}.");
                    continue;
                }

                values[option] = value;
                sources[option] = source;
            }
            catch (FormatException ex)
            {
                errors.Add($"{Describe(option, source)}: {ex.Message}.");
            }
        }

        if (errors.Count > 0)
        {
            throw new ConnectorConfigurationException(string.Join(Environment.NewLine, errors));
        }

        return new ConnectorSettings(values, sources, configRoot, configPath) { Deprecations = deprecations };
    }

    private static string Describe(ConnectorOption option, string source) =>
        source == option.Name ? option.Name : $"{option.Name} (from {source})";

    /// <summary>A value was read under an earlier spelling: the warning names the current one.</summary>
    private static void Deprecated(List<string> deprecations, string used, string current) =>
        deprecations.Add($"{used} is deprecated and will be removed; use {current}.");

    private string? ResolveConfigPath(ParseResult parseResult, IReadOnlyDictionary<ConnectorOption, Option> cliOptions)
    {
        var fromCli = parseResult.GetResult(cliOptions[CommonOptions.Config]) is { Implicit: false }
            ? parseResult.GetValue((Option<string>)cliOptions[CommonOptions.Config])
            : null;
        var path = fromCli ?? environment(CommonOptions.Config.EnvironmentVariable);
        return string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
    }

    private static JsonElement? LoadConfig(string path, List<string> errors)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, s_configJsonOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"--config {path}: the file must hold one JSON object.");
                return null;
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            errors.Add($"--config {path}: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"--config {path}: cannot be read ({ex.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)}).");
        }

        return null;
    }

    private void CheckKnownKeys(JsonElement element, string prefix, List<string> errors, string path)
    {
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
            // An object is walked when earlier keys sit below it ({"auth": {"mode": …}}), though "auth" is a key now.
            if (property.Value.ValueKind == JsonValueKind.Object &&
                AllConfigKeys().Any(k => k.StartsWith(key + ".", StringComparison.Ordinal)))
            {
                CheckKnownKeys(property.Value, key, errors, path);
                continue;
            }

            if (AllConfigKeys().Contains(key, StringComparer.Ordinal) || configSections.Contains(key) || property.Name.StartsWith('$'))
            {
                continue;
            }

            var known = options.Select(o => o.ConfigKey).Where(k => k.Length > 0).Concat(configSections).Order(StringComparer.Ordinal);
            errors.Add($"--config {path}: unknown setting '{key}'. Known settings: {string.Join(", ", known)}.");
        }
    }

    private IEnumerable<string> AllConfigKeys() =>
        options.SelectMany(o => o.Former.Select(f => f.ConfigKey).Prepend(o.ConfigKey)).OfType<string>().Where(k => k.Length > 0);

    private bool TryReadRaw(
        ConnectorOption option,
        System.CommandLine.Parsing.OptionResult? cliResult,
        JsonElement? configRoot,
        List<string> errors,
        List<string> deprecations,
        out IReadOnlyList<string> raw,
        out string source)
    {
        if (cliResult is not null)
        {
            source = cliResult.IdentifierToken?.Value ?? option.Name;
            if (source != option.Name)
            {
                Deprecated(deprecations, source, option.Name);
            }

            raw = option.IsFlag ? [cliResult.Tokens.Count == 0 ? "true" : cliResult.Tokens[^1].Value]
                : option.IsList && option.ListSeparator == ',' ? cliResult.Tokens.SelectMany(t => t.Value.Split(',')).ToArray()
                : cliResult.Tokens.Select(t => t.Value).ToArray();
            return true;
        }

        var variables = option.Former.Select(f => f.EnvironmentVariable).OfType<string>().Prepend(option.EnvironmentVariable).ToList();
        if (variables.FirstOrDefault(v => environment(v) is not null) is { } variable)
        {
            source = $"env {variable}";
            if (variable != option.EnvironmentVariable)
            {
                Deprecated(deprecations, source, $"env {option.EnvironmentVariable}");
            }

            var envValue = environment(variable)!;
            raw = option.IsList ? envValue.Split(option.ListSeparator) : [envValue];
            return true;
        }

        if (option.IsSecret && variables.FirstOrDefault(v => environment(v + "_FILE") is { Length: > 0 }) is { } fileVariable)
        {
            source = $"env {fileVariable}_FILE";
            if (fileVariable != option.EnvironmentVariable)
            {
                Deprecated(deprecations, source, $"env {option.EnvironmentVariable}_FILE");
            }

            var secretFile = environment(fileVariable + "_FILE")!;
            try
            {
                var text = File.ReadAllText(secretFile).Trim();
                raw = option.IsList ? text.Split([option.ListSeparator, '\n']) : [text];
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{option.Name} (from {source}): the file cannot be read.");
                raw = [];
                return false;
            }
        }

        var keys = option.Former.Select(f => f.ConfigKey).OfType<string>().Prepend(option.ConfigKey).Where(k => k.Length > 0);
        var element = default(JsonElement);
        if (configRoot is { } root && keys.FirstOrDefault(k => TryGetPath(root, k, out element)) is { } key)
        {
            source = $"config key {key}";
            if (key != option.ConfigKey)
            {
                Deprecated(deprecations, source, $"config key {option.ConfigKey}");
            }

            raw = element.ValueKind switch
            {
                JsonValueKind.Array => element.EnumerateArray().Select(ScalarText).ToArray(),
                _ => [ScalarText(element)],
            };
            return true;
        }

        raw = [];
        source = "default";
        return false;
    }

    private static string ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => element.GetRawText(),
    };

    private static bool TryGetPath(JsonElement root, string dottedKey, out JsonElement element)
    {
        element = root;
        foreach (var part in dottedKey.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return false;
            }
        }

        // An object is never an option's value: under a key that is now an option it holds earlier keys ({"auth": {"mode": …}}).
        return element.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined and not JsonValueKind.Object;
    }
}
