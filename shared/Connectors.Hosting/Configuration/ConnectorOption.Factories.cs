using System.Globalization;

namespace Connectors.Hosting.Configuration;

/// <summary>Factories for typed options, so every server declares its settings the same way.</summary>
public abstract partial class ConnectorOption
{
    public static ConnectorOption<string> Text(
        string name, string environmentVariable, string configKey, string description, string defaultValue = "", bool secret = false, Func<string, string?>? validate = null)
        => new(name, environmentVariable, configKey, description, defaultValue, raw => Single(raw), validate) { IsSecret = secret };

    /// <summary>An optional absolute http(s) URL; empty means not set.</summary>
    public static ConnectorOption<string> Url(string name, string environmentVariable, string configKey, string description, string defaultValue = "")
        => Text(name, environmentVariable, configKey, description, defaultValue, validate: value =>
            value.Length == 0 || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                ? null
                : $"'{value}' is not an absolute http(s) URL");

    public static ConnectorOption<string> Choice(
        string name, string environmentVariable, string configKey, string description, string defaultValue, params string[] choices)
        => new(
            name,
            environmentVariable,
            configKey,
            $"{description} One of: {string.Join(", ", choices)}.",
            defaultValue,
            raw =>
            {
                var value = Single(raw).Trim();
                var match = choices.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase));
                return match ?? throw new FormatException($"'{value}' is not one of: {string.Join(", ", choices)}");
            });

    public static ConnectorOption<bool> Flag(string name, string environmentVariable, string configKey, string description)
        => new(name, environmentVariable, configKey, description, false, raw => ParseBool(Single(raw)));

    public static ConnectorOption<int> WholeNumber(
        string name, string environmentVariable, string configKey, string description, int defaultValue, int min, int max)
        => new(
            name,
            environmentVariable,
            configKey,
            description,
            defaultValue,
            raw => int.TryParse(Single(raw).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new FormatException($"'{Single(raw)}' is not a whole number"),
            v => v < min || v > max ? $"must be between {min} and {max} (got {v})" : null);

    public static ConnectorOption<IReadOnlyList<string>> List(
        string name, string environmentVariable, string configKey, string description, char separator = ',', bool secret = false)
        => new(
            name,
            environmentVariable,
            configKey,
            description,
            Array.Empty<string>(),
            raw => raw.Select(v => v.Trim()).Where(v => v.Length > 0).ToArray())
        { ListSeparator = separator, IsSecret = secret };

    private static string Single(IReadOnlyList<string> raw) => raw.Count == 0 ? "" : raw[^1];

    private static bool ParseBool(string value) => value.Trim().ToLowerInvariant() switch
    {
        "" or "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new FormatException($"'{value}' is not true or false"),
    };
}
