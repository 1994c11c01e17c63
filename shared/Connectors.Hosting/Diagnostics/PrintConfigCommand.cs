using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectors.Hosting.Configuration;

namespace Connectors.Hosting.Diagnostics;

/// <summary>
/// <c>print-config vscode|claude-desktop|cursor [--launcher tool|dnx] [server options]</c>: a client configuration
/// snippet that starts this server over stdio with the given options. Secrets never appear as values: VS Code prompts
/// for them (password inputs), Cursor reads them from the user's environment, Claude Desktop from a file
/// (<c>NAME_FILE</c>), and a secret given on this command line is refused rather than written out.
/// </summary>
internal static class PrintConfigCommand
{
    public const string Name = "print-config";

    public static readonly string[] Clients = ["vscode", "claude-desktop", "cursor"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(ConnectorServer server, string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || !Clients.Contains(args[0]))
        {
            await error.WriteLineAsync($"usage: {server.Name} print-config {string.Join('|', Clients)} [--launcher tool|dnx] [server options]");
            return 2;
        }

        var client = args[0];
        var rest = args[1..].ToList();
        var launcher = "tool";
        var launcherAt = rest.IndexOf("--launcher");
        if (launcherAt >= 0)
        {
            launcher = launcherAt + 1 < rest.Count ? rest[launcherAt + 1] : "";
            rest.RemoveRange(launcherAt, Math.Min(2, rest.Count - launcherAt));
            if (launcher is not ("tool" or "dnx"))
            {
                await error.WriteLineAsync($"{server.Name} print-config: --launcher takes 'tool' (the installed command) or 'dnx' (run from NuGet without installing).");
                return 2;
            }
        }

        var (options, parse, commandLine) = server.ParseCommandLine([.. rest]);
        if (parse.Errors.Count > 0)
        {
            await error.WriteLineAsync($"{server.Name} print-config: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            return 2;
        }

        var serverArgs = new List<string>();
        foreach (var option in options)
        {
            // An earlier spelling is written under the option's current name.
            if (commandLine.Given(parse, option) is not { } given)
            {
                continue;
            }

            if (option.IsSecret)
            {
                await error.WriteLineAsync($"{server.Name} print-config: {option.Name} is a secret and is never written into a client configuration; " +
                    $"the snippet reads it from {option.EnvironmentVariable} instead. Leave it off this command line.");
                return 2;
            }

            if (option == CommonOptions.Transport)
            {
                continue; // IDE clients start the server over stdio.
            }

            var values = given.Tokens.Select(t => t.Value).ToList();
            if (option.IsFlag)
            {
                if (values.Count == 0 || values.Any(v => bool.TryParse(v, out var on) && on))
                {
                    serverArgs.Add(option.Name);
                }

                continue;
            }

            foreach (var value in values)
            {
                serverArgs.Add(option.Name);
                serverArgs.Add(Absolute(value));
            }
        }

        var (command, commandArgs) = launcher == "dnx"
            ? ("dnx", new List<string> { $"{PackageId()}@{server.Version}", "--yes", "--" }.Concat(serverArgs).ToList())
            : (server.Name, serverArgs);
        var secrets = server.ClientSecrets.Count > 0 ? [.. server.ClientSecrets] : server.Options.Where(o => o.IsSecret).ToList();
        var snippet = client switch
        {
            "vscode" => VsCode(server, command, commandArgs, secrets),
            "cursor" => McpServers(server, command, commandArgs, secrets.ToDictionary(s => s.EnvironmentVariable, s => $"${{env:{s.EnvironmentVariable}}}")),
            _ => McpServers(server, command, commandArgs, secrets.ToDictionary(s => s.EnvironmentVariable + "_FILE", s => $"/absolute/path/to/a/file/holding/{s.EnvironmentVariable}")),
        };
        await output.WriteLineAsync(snippet.ToJsonString(Indented));
        await error.WriteLineAsync(client switch
        {
            "vscode" => "Paste into .vscode/mcp.json (workspace) or your user mcp.json" +
                (secrets.Count > 0 ? "; VS Code asks for each secret once and stores it encrypted." : "."),
            "cursor" => $"Paste into .cursor/mcp.json or ~/.cursor/mcp.json; set {string.Join(", ", secrets.Select(s => s.EnvironmentVariable).DefaultIfEmpty("no secrets"))} in the environment Cursor starts from.",
            _ => "Merge into claude_desktop_config.json (Settings → Developer → Edit Config)" + (secrets.Count > 0
                ? "; replace each *_FILE path with a file readable only by you that holds the secret, and drop the ones you do not use."
                : "."),
        });
        return 0;
    }

    private static JsonObject VsCode(ConnectorServer server, string command, List<string> args, List<ConnectorOption> secrets)
    {
        var env = new JsonObject();
        var inputs = new JsonArray();
        foreach (var secret in secrets)
        {
            // Letters, digits and '_' only: the one form both VS Code and Visual Studio accept as an input id.
            var id = secret.EnvironmentVariable.ToLowerInvariant();
            inputs.Add((JsonNode)new JsonObject
            {
                ["type"] = "promptString",
                ["id"] = id,
                ["description"] = $"{secret.EnvironmentVariable}: {secret.Description}",
                ["password"] = true,
            });
            env[secret.EnvironmentVariable] = $"${{input:{id}}}";
        }

        var entry = new JsonObject { ["type"] = "stdio", ["command"] = command, ["args"] = ToArray(args) };
        if (env.Count > 0)
        {
            entry["env"] = env;
        }

        return new JsonObject { ["inputs"] = inputs, ["servers"] = new JsonObject { [server.Name] = entry } };
    }

    private static JsonObject McpServers(ConnectorServer server, string command, List<string> args, Dictionary<string, string> env)
    {
        var entry = new JsonObject { ["command"] = command, ["args"] = ToArray(args) };
        if (env.Count > 0)
        {
            entry["env"] = new JsonObject(env.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
        }

        return new JsonObject { ["mcpServers"] = new JsonObject { [server.Name] = entry } };
    }

    /// <summary>The client starts the server from a folder of its choosing, so "." and "../x" are made absolute here.</summary>
    private static string Absolute(string value) =>
        value is "." or ".." || value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal)
            ? Path.GetFullPath(value)
            : value;

    private static JsonArray ToArray(List<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static string PackageId() => Assembly.GetEntryAssembly()?.GetName().Name ?? "Connectors";
}
