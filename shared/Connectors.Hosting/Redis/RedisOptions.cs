using Connectors.Hosting.Configuration;
using StackExchange.Redis;

namespace Connectors.Hosting.Redis;

/// <summary>The Redis that replicas of one deployment share (rate limits, idempotency keys, caches); off when unset.</summary>
public static class RedisOptions
{
    public static readonly ConnectorOption<string> Connection = new(
        "--redis",
        "CONNECTORS_REDIS",
        "redis",
        "Redis shared by the replicas of this deployment, as a StackExchange.Redis connection string (host:port[,password=…][,ssl=true]): " +
        "rate limits count across replicas, idempotency keys are claimed there and upstream answers cached there for the other replicas. Off when empty.",
        "",
        raw => raw.Count == 0 ? "" : raw[^1].Trim(),
        value => value.Length > 0 && TryParse(value, out _) is { } problem ? $"not a Redis connection string ({problem})" : null)
    {
        IsSecret = true,
        SecretPartsOf = PasswordOf,
    };

    public static readonly ConnectorOption<string> Namespace = ConnectorOption.Text(
        "--redis-namespace",
        "CONNECTORS_REDIS_NAMESPACE",
        "redisNamespace",
        "Names this deployment in the shared Redis, so deployments sharing one Redis keep their keys apart (letters, digits, '.', '-', '_').",
        "default",
        validate: value => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? null
            : "use 1 to 64 letters, digits, '.', '-' or '_'");

    internal static IReadOnlyList<ConnectorOption> All { get; } = [Connection, Namespace];

    /// <summary>Parses a connection string; returns why not, or null with the parsed options.</summary>
    internal static string? TryParse(string value, out ConfigurationOptions options)
    {
        options = new ConfigurationOptions();
        try
        {
            options = ConfigurationOptions.Parse(value);
        }
        catch (ArgumentException ex)
        {
            // The message names the offending key, never the value of another one.
            return ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase) ? "bad password setting" : ex.Message;
        }

        return options.EndPoints.Count == 0 ? "no host:port given" : null;
    }

    private static IReadOnlyList<string> PasswordOf(string value) =>
        TryParse(value, out var options) is null
            ? options.Password is { Length: > 0 } password ? [password] : []
            : [value]; // unparsable: treat it all as secret
}
