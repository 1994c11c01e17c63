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

    public ConnectorSettings Resolve(ParseResult parseResult, IReadOnlyDictionary<ConnectorOption, Option> cliOptions)
    {
        var errors = new List<string>();
        var configPath = ResolveConfigPath(parseResult, cliOptions);
        var configRoot = configPath is null ? null : LoadConfig(configPath, errors);
        if (configRoot is { } root)
        {
            CheckKnownKeys(root, "", errors, configPath!);
        }

        var values = new Dictionary<ConnectorOption, object?>();
        var sources = new Dictionary<ConnectorOption, string>();
        foreach (var option in options)
        {
            if (!TryReadRaw(option, parseResult, cliOptions[option], configRoot, errors, out var raw, out var source))
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

        return new ConnectorSettings(values, sources, configRoot, configPath);
    }

    private static string Describe(ConnectorOption option, string source) =>
        source == option.Name ? option.Name : $"{option.Name} (from {source})";

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
            if (options.Any(o => string.Equals(o.ConfigKey, key, StringComparison.Ordinal)) ||
                configSections.Contains(key) ||
                property.Name.StartsWith('$'))
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Object &&
                options.Any(o => o.ConfigKey.StartsWith(key + ".", StringComparison.Ordinal)))
            {
                CheckKnownKeys(property.Value, key, errors, path);
                continue;
            }

            var known = options.Select(o => o.ConfigKey).Where(k => k.Length > 0).Concat(configSections).Order(StringComparer.Ordinal);
            errors.Add($"--config {path}: unknown setting '{key}'. Known settings: {string.Join(", ", known)}.");
        }
    }

    private bool TryReadRaw(
        ConnectorOption option,
        ParseResult parseResult,
        Option cliOption,
        JsonElement? configRoot,
        List<string> errors,
        out IReadOnlyList<string> raw,
        out string source)
    {
        if (parseResult.GetResult(cliOption) is { Implicit: false } cliResult)
        {
            source = option.Name;
            raw = option.IsFlag ? [cliResult.Tokens.Count == 0 ? "true" : cliResult.Tokens[^1].Value]
                : option.IsList && option.ListSeparator == ',' ? cliResult.Tokens.SelectMany(t => t.Value.Split(',')).ToArray()
                : cliResult.Tokens.Select(t => t.Value).ToArray();
            return true;
        }

        if (environment(option.EnvironmentVariable) is { } envValue)
        {
            source = $"env {option.EnvironmentVariable}";
            raw = option.IsList ? envValue.Split(option.ListSeparator) : [envValue];
            return true;
        }

        if (option.IsSecret && environment(option.EnvironmentVariable + "_FILE") is { Length: > 0 } secretFile)
        {
            source = $"env {option.EnvironmentVariable}_FILE";
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

        if (configRoot is { } root && option.ConfigKey.Length > 0 && TryGetPath(root, option.ConfigKey, out var element))
        {
            source = $"config key {option.ConfigKey}";
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

        return element.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined;
    }
}
