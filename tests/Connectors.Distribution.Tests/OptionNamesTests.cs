using System.Text.RegularExpressions;

namespace Connectors.Distribution.Tests;

/// <summary>
/// One spelling per idea across the four servers (issue 21), read from each server's --help: an option's environment
/// variable and config key are its flag's words, under the server's prefix and config section for its own options.
/// </summary>
public sealed partial class OptionNamesTests
{
    private static readonly Dictionary<string, (string Prefix, string Section)> OwnSpelling = new()
    {
        ["filesystem"] = ("CONNECTORS_FILESYSTEM_", "filesystem."),
        ["database"] = ("CONNECTORS_DATABASE_", "database."),
        ["github"] = ("GITHUB_", "github."),
        ["slack"] = ("SLACK_", "slack."),
    };

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task Every_option_s_variable_and_config_key_spell_its_flag_s_words(string key)
    {
        var server = Servers.Get(key);
        var (exitCode, help, _) = await ServerProcess.RunToExitAsync(server.Project, ["--help"]);
        Assert.Equal(0, exitCode);

        var own = false;
        var wrong = new List<string>();
        var checkedOptions = 0;
        foreach (var line in help.Split('\n'))
        {
            if (!line.StartsWith(' '))
            {
                own = line.StartsWith("Options of ", StringComparison.Ordinal);
                continue;
            }

            if (OptionLine().Match(line) is not { Success: true } option || option.Groups["flag"].Value is "--otlp-endpoint" or "--config")
            {
                continue;
            }

            var words = option.Groups["flag"].Value[2..].Split('-');
            var (prefix, section) = own ? OwnSpelling[key] : ("CONNECTORS_", "");
            var variable = prefix + string.Join('_', words).ToUpperInvariant();
            var configKey = section + words[0] + string.Concat(words[1..].Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            if (option.Groups["env"].Value != variable || option.Groups["config"].Value != configKey)
            {
                wrong.Add($"{option.Groups["flag"].Value}: env {option.Groups["env"].Value} (expected {variable}), config {option.Groups["config"].Value} (expected {configKey})");
            }

            checkedOptions++;
        }

        Assert.Empty(wrong);
        Assert.True(checkedOptions > 30, $"only {checkedOptions} options read from the help of {server.Command}");
    }

    [GeneratedRegex(@"^  (?<flag>--[a-z-]+)(?: <[^>]+>)?\s.*\[env: (?<env>[A-Z_]+)[^\]]*\] \[config: (?<config>[A-Za-z.]+)\]")]
    private static partial Regex OptionLine();
}
