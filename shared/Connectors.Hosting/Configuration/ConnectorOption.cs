namespace Connectors.Hosting.Configuration;

/// <summary>
/// One setting a server accepts. The same setting can come from the command line, an environment variable
/// (secrets also from <c>&lt;NAME&gt;_FILE</c>), or a key of the JSON config file — in that order of precedence.
/// </summary>
public abstract partial class ConnectorOption
{
    private readonly List<FormerSpelling> _former = [];

    private protected ConnectorOption(string name, string environmentVariable, string configKey, string description)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("Option names start with '--'.", nameof(name));
        }

        Name = name;
        EnvironmentVariable = environmentVariable;
        ConfigKey = configKey;
        Description = description;
    }

    /// <summary>The command-line name, e.g. <c>--roots</c>.</summary>
    public string Name { get; }

    public string EnvironmentVariable { get; }

    /// <summary>Dotted path in the JSON config file, e.g. <c>allowTools</c>, <c>github.token</c>.</summary>
    public string ConfigKey { get; }

    public string Description { get; }

    /// <summary>Secret values are read from the environment or a file, never printed, and redacted from logs and errors.</summary>
    public bool IsSecret { get; init; }

    /// <summary>
    /// For a secret option of which only a part is secret (a connection string's password): that part of a value, empty
    /// when the value holds none. Such a value may then be given on the command line and is redacted by that part alone.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? SecretPartsOf { get; init; }

    /// <summary>The secret texts a value of this option holds, for redaction and the command-line refusal.</summary>
    internal IReadOnlyList<string> SecretsIn(object? value) => !IsSecret ? [] : value switch
    {
        string { Length: > 0 } s when SecretPartsOf is { } parts => parts(s),
        string { Length: > 0 } s => [s],
        IReadOnlyList<string> list => list,
        _ => [],
    };

    /// <summary>Separator for list values given as one environment variable.</summary>
    public char ListSeparator { get; init; } = ',';

    /// <summary>Spellings this option had before; they keep working and each use warns with the current one.</summary>
    public IReadOnlyList<FormerSpelling> Former => _former;

    private protected void AddFormer(FormerSpelling spelling) => _former.Add(spelling);

    internal abstract bool IsFlag { get; }

    internal abstract bool IsList { get; }

    internal abstract object? DefaultValue { get; }

    internal abstract string? DefaultText { get; }

    /// <summary>Converts raw text values to the option's type; throws <see cref="FormatException"/> with a readable reason.</summary>
    internal abstract object? Convert(IReadOnlyList<string> raw);

    /// <summary>Returns null when valid, otherwise why not.</summary>
    internal abstract string? Check(object? value);
}

/// <summary>An earlier spelling of an option; any part may be null when it did not change.</summary>
public sealed record FormerSpelling(string? Name, string? EnvironmentVariable, string? ConfigKey);

/// <summary>A typed <see cref="ConnectorOption"/>; create them with the factories on <see cref="ConnectorOption"/>.</summary>
public sealed class ConnectorOption<T> : ConnectorOption
{
    private readonly Func<IReadOnlyList<string>, T> _convert;
    private readonly Func<T, string?>? _validate;

    internal ConnectorOption(
        string name,
        string environmentVariable,
        string configKey,
        string description,
        T defaultValue,
        Func<IReadOnlyList<string>, T> convert,
        Func<T, string?>? validate = null)
        : base(name, environmentVariable, configKey, description)
    {
        Default = defaultValue;
        _convert = convert;
        _validate = validate;
    }

    public T Default { get; }

    /// <summary>Keeps an earlier flag, environment variable or config key working, with a deprecation warning.</summary>
    public ConnectorOption<T> Formerly(string? name = null, string? environmentVariable = null, string? configKey = null)
    {
        AddFormer(new FormerSpelling(name, environmentVariable, configKey));
        return this;
    }

    internal override bool IsFlag => typeof(T) == typeof(bool);

    internal override bool IsList => typeof(T) == typeof(IReadOnlyList<string>);

    internal override object? DefaultValue => Default;

    internal override string? DefaultText => IsSecret || Default is null
        ? null
        : Default switch
        {
            IReadOnlyList<string> { Count: 0 } => null,
            string { Length: 0 } => null,
            IReadOnlyList<string> list => string.Join(ListSeparator, list),
            bool b => b ? "true" : null,
            _ => Default.ToString(),
        };

    internal override object? Convert(IReadOnlyList<string> raw) => _convert(raw);

    internal override string? Check(object? value) => _validate?.Invoke((T)value!);
}
