using System.Text.Json;
using Connectors.Hosting.Errors;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Checks call arguments against the tool's input schema before the tool runs, so a wrong call is answered with which
/// argument is wrong and why, instead of a binder exception.
/// </summary>
internal static class ArgumentValidator
{
    public static void Validate(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!arguments.ContainsKey(name))
                {
                    throw ConnectorException.InvalidArgument(name, "this argument is required.");
                }
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var propertySchema))
            {
                var known = properties.ValueKind == JsonValueKind.Object
                    ? string.Join(", ", properties.EnumerateObject().Select(x => x.Name))
                    : "";
                throw ConnectorException.InvalidArgument(name, known.Length == 0
                    ? "this tool takes no arguments."
                    : $"unknown argument. This tool takes: {known}.");
            }

            if (!Matches(propertySchema, value, out var expected))
            {
                throw ConnectorException.InvalidArgument(name, $"expected {expected}, got {Describe(value)}.");
            }
        }
    }

    private static bool Matches(JsonElement schema, JsonElement value, out string expected)
    {
        expected = "";
        if (!schema.TryGetProperty("type", out var type))
        {
            return true;
        }

        var types = type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).ToArray()
            : [type.GetString()!];
        expected = string.Join(" or ", types.Select(t => t switch { "integer" => "an integer", "array" => "an array", "object" => "an object", "null" => "null", _ => $"a {t}" }));
        if (!types.Any(t => MatchesType(t, value)))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array &&
            !choices.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.GetString() == value.GetString()))
        {
            expected = "one of " + string.Join(", ", choices.EnumerateArray().Select(c => c.GetRawText()));
            return false;
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            foreach (var item in value.EnumerateArray())
            {
                if (!Matches(items, item, out var itemExpected))
                {
                    expected = $"an array whose items are {itemExpected}";
                    return false;
                }
            }
        }

        return true;
    }

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "an integer" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
