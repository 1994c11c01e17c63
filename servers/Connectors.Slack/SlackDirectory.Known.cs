using Connectors.Slack.Api;

namespace Connectors.Slack;

/// <summary>What the directory already holds, for suggestions that must not cost a Slack call.</summary>
internal sealed partial class SlackDirectory
{
    /// <summary>Channels in the cache now (each once, by ID); empty until a tool, a lookup or resources/list has met some.</summary>
    public IReadOnlyList<SlackChannel> KnownChannels() => Known<SlackChannel>("c:");

    /// <summary>People in the cache now (each once, by ID); IDs Slack did not know are left out.</summary>
    public IReadOnlyList<SlackUser> KnownUsers() => Known<SlackUser>("u:");

    private List<T> Known<T>(string prefix)
        where T : class
    {
        var found = new List<T>();
        foreach (var key in _cache.Keys)
        {
            if (key is string text && text.StartsWith(prefix, StringComparison.Ordinal) && _cache.TryGetValue(text, out T? value) && value is not null)
            {
                found.Add(value);
            }
        }

        return found;
    }
}
