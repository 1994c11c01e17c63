namespace Connectors.Resilience.Tests;

/// <summary>One fuzzed message: its bytes (one line, no newline inside) and, when it is a well-formed request, its id.</summary>
internal sealed record FuzzMessage(string Kind, byte[] Body, string? RequestId);

/// <summary>
/// Random and mutated JSON-RPC messages from a seeded <see cref="Random"/>: the same seed gives the same sequence, so a
/// failure replays. Only messages that are valid JSON-RPC requests (an object, "jsonrpc":"2.0", a string id, a string
/// method, params an object or absent) carry a <see cref="FuzzMessage.RequestId"/>: those must be answered.
/// </summary>
internal sealed class FuzzMessages(int seed)
{
    private static readonly string[] s_methods =
    [
        "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list",
        "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "resources/subscribe",
    ];

    private static readonly string[] s_tools =
    [
        "list_allowed_directories", "list_directory", "list_directory_with_sizes", "directory_tree", "read_text_file", "read_file",
        "read_media_file", "read_multiple_files", "get_file_info", "search_files", "search_content", "write_file", "no_such_tool",
    ];

    private static readonly string[] s_argumentNames =
    [
        "path", "paths", "pattern", "head", "tail", "offset", "limit", "excludePatterns", "max_depth", "sortBy", "regex",
        "ignore_case", "file_pattern", "context_lines", "max_results", "include_ignored", "content", "uri",
    ];

    private static readonly string[] s_hostileStrings =
    [
        "../../../../etc/passwd", "/etc/shadow", "/proc/self/environ", "a\0b", "..", "/", "", " ", "~", "$HOME", "%2e%2e/%2e%2e",
        "\u202e\u0000\ud7ff", "C:\\Windows\\system32", "file:///etc/passwd", "**/../../**", "[", "(?<=a)b", "(a+)+$", "{{{{",
        "\\", "//server/share", "nul", "CON", "\t\r", "😀", "\ufeff", "*", "**", "x/../..", "/dev/zero", "/dev/stdin",
    ];

    private readonly Random _random = new(seed);
    private int _next;

    public FuzzMessage Next()
    {
        var id = $"fz-{++_next}";
        return _random.Next(14) switch
        {
            0 => Request("valid-method", id, Method(), RandomParams()),
            1 => Request("unknown-method", id, $"x/{RandomWord()}", RandomParams()),
            2 => Invalid("wrong-envelope-types", WrongEnvelope(id)),
            3 => HugeId(id),
            4 => Invalid("deep-nesting", Encoding.UTF8.GetBytes(DeepNesting(id))),
            5 => Invalid("invalid-utf8", InvalidUtf8(id)),
            6 => Invalid("truncated", Truncated(id)),
            7 => Invalid("batch", Encoding.UTF8.GetBytes(Batch())),
            8 => Request("notification-with-id", id, $"notifications/{(_random.Next(2) == 0 ? "cancelled" : RandomWord())}", RandomParams()),
            9 or 10 => Request("hostile-tool-call", id, "tools/call", HostileToolCall()),
            11 => Invalid("garbage", Garbage()),
            12 => Invalid("params-wrong-shape", Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = Method(), ["params"] = Scalar() }.ToJsonString())),
            _ => Invalid("notification", Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = $"notifications/{RandomWord()}", ["params"] = RandomParams() }.ToJsonString())),
        };
    }

    private static FuzzMessage Request(string kind, string id, string method, JsonObject? parameters)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        return new FuzzMessage(kind, Encoding.UTF8.GetBytes(message.ToJsonString()), id);
    }

    private static FuzzMessage Invalid(string kind, byte[] body) => new(kind, body, null);

    private string Method() => s_methods[_random.Next(s_methods.Length)];

    private string RandomWord() => new([.. Enumerable.Range(0, _random.Next(1, 12)).Select(_ => (char)_random.Next('a', 'z' + 1))]);

    private JsonObject? RandomParams()
    {
        if (_random.Next(4) == 0)
        {
            return null;
        }

        var parameters = new JsonObject();
        for (var i = _random.Next(4); i > 0; i--)
        {
            parameters[_random.Next(3) == 0 ? RandomWord() : s_argumentNames[_random.Next(s_argumentNames.Length)]] = Value(2);
        }

        if (_random.Next(3) == 0)
        {
            parameters["name"] = Value(1);
        }

        if (_random.Next(3) == 0)
        {
            parameters["_meta"] = new JsonObject { ["progressToken"] = Value(0) };
        }

        return parameters;
    }

    private JsonObject HostileToolCall()
    {
        var arguments = new JsonObject();
        for (var i = _random.Next(5); i > 0; i--)
        {
            arguments[s_argumentNames[_random.Next(s_argumentNames.Length)]] = _random.Next(3) == 0 ? Value(2) : HostileString();
        }

        var call = new JsonObject { ["name"] = _random.Next(8) == 0 ? Value(0) : s_tools[_random.Next(s_tools.Length)] };
        call["arguments"] = _random.Next(6) switch
        {
            0 => Value(1),
            1 => null,
            _ => arguments,
        };
        return call;
    }

    private string HostileString() => _random.Next(6) switch
    {
        0 => new string('a', _random.Next(1000, 200_000)),
        1 => string.Concat(Enumerable.Repeat("../", _random.Next(1, 500))) + "etc/passwd",
        _ => s_hostileStrings[_random.Next(s_hostileStrings.Length)],
    };

    private JsonNode? Scalar() => _random.Next(6) switch
    {
        0 => null,
        1 => _random.Next(2) == 0,
        2 => _random.Next(int.MinValue, int.MaxValue),
        3 => _random.NextDouble() * 1e300,
        4 => JsonValue.Create(HostileString()),
        _ => new JsonArray(Value(0), Value(0)),
    };

    private JsonNode? Value(int depth)
    {
        if (depth <= 0 || _random.Next(3) != 0)
        {
            return _random.Next(5) == 0 ? JsonValue.Create(HostileString()) : Scalar();
        }

        if (_random.Next(2) == 0)
        {
            var array = new JsonArray();
            for (var i = _random.Next(4); i > 0; i--)
            {
                array.Add(Value(depth - 1));
            }

            return array;
        }

        var node = new JsonObject();
        for (var i = _random.Next(4); i > 0; i--)
        {
            node[RandomWord() + i] = Value(depth - 1);
        }

        return node;
    }

    private byte[] WrongEnvelope(string id)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = Method(), ["params"] = new JsonObject() };
        var field = new[] { "jsonrpc", "id", "method", "params", "result", "error" }[_random.Next(6)];
        message[field] = _random.Next(4) == 0 ? new JsonObject { ["code"] = Value(0), ["message"] = Value(0) } : Scalar();
        if (_random.Next(4) == 0)
        {
            message.Remove(new[] { "jsonrpc", "id", "method" }[_random.Next(3)]);
        }

        return Encoding.UTF8.GetBytes(message.ToJsonString());
    }

    private FuzzMessage HugeId(string id)
    {
        var value = _random.Next(6) switch
        {
            0 => "99999999999999999999999999999999999999",
            1 => "1e308",
            2 => "-9223372036854775809",
            3 => "1.5",
            4 => "-0",
            _ => JsonSerializer.Serialize(id + "-" + new string('9', _random.Next(1_000, 100_000))),
        };
        var body = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{value}},"method":"ping"}""");

        // A long string id is a valid id: it must be answered, under that very id.
        return new FuzzMessage("huge-id", body, value.StartsWith('"') ? JsonSerializer.Deserialize<string>(value) : null);
    }

    private string DeepNesting(string id)
    {
        var depth = _random.Next(50, 5000);
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var value = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return $$"""{"jsonrpc":"2.0","id":"{{id}}","method":"tools/call","params":{"name":"read_text_file","arguments":{"path":""" + value + "}}}";
    }

    private byte[] InvalidUtf8(string id)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":"{{id}}","method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"AB"}""" + "}}}").ToList();
        var at = body.LastIndexOf((byte)'A');
        byte[][] bad = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82]];
        body.InsertRange(at, bad[_random.Next(bad.Length)]);
        return [.. body];
    }

    private byte[] Truncated(string id)
    {
        var whole = Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = Method(), ["params"] = RandomParams() }.ToJsonString());
        return whole[.._random.Next(1, whole.Length)];
    }

    private string Batch()
    {
        var batch = new JsonArray();
        for (var i = _random.Next(0, 5); i > 0; i--)
        {
            batch.Add(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = $"batch-{_next}-{i}", ["method"] = Method(), ["params"] = RandomParams() });
        }

        return batch.ToJsonString();
    }

    private byte[] Garbage()
    {
        var bytes = new byte[_random.Next(1, 2000)];
        _random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is (byte)'\n')
            {
                bytes[i] = (byte)' ';
            }
        }

        return bytes;
    }
}
