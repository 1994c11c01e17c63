using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// conversations.*: list, info, history and replies.
public sealed partial class SlackEmulator
{
    private JsonObject ConversationsList(Dictionary<string, string> args, EmulatedToken caller)
    {
        var types = (args.GetValueOrDefault("types") is { Length: > 0 } t ? t : "public_channel").Split(',');
        var excludeArchived = args.GetValueOrDefault("exclude_archived") is "true" or "1";
        var visible = Workspace.Channels.Where(c => types.Contains(TypeOf(c)) && (!excludeArchived || !c.IsArchived) && (!c.IsPrivate || c.Members.Contains(caller.UserId)));
        return Page(args, visible.ToList(), 100, 1000, "channels", c => ChannelJson(c, caller));
    }

    private JsonObject ConversationsInfo(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Visible(args.GetValueOrDefault("channel"), caller) is not { } channel)
        {
            return Error("channel_not_found");
        }

        var answer = Ok();
        answer["channel"] = ChannelJson(channel, caller);
        return answer;
    }

    private JsonObject ConversationsHistory(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Readable(args, caller, out var error) is not { } channel)
        {
            return error!;
        }

        var oldest = Ts(args.GetValueOrDefault("oldest")) ?? 0m;
        var latest = Ts(args.GetValueOrDefault("latest")) ?? decimal.MaxValue;
        var inclusive = args.GetValueOrDefault("inclusive") is "true" or "1";
        var messages = channel.Messages
            .Where(m => m.ThreadTs is null || m.ThreadTs == m.Ts || m.ReplyBroadcast)
            .Where(m => Ts(m.Ts) is { } ts && (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest))
            .OrderByDescending(m => Ts(m.Ts))
            .ToList();
        var answer = Page(args, messages, 100, 999, "messages", m => MessageJson(channel, m));
        answer["has_more"] = answer["response_metadata"]?["next_cursor"]?.GetValue<string>() is { Length: > 0 };
        return answer;
    }

    private JsonObject ConversationsReplies(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Readable(args, caller, out var error) is not { } channel)
        {
            return error!;
        }

        var ts = args.GetValueOrDefault("ts");
        if (channel.Messages.FirstOrDefault(m => m.Ts == ts) is not { } parent)
        {
            return Error("thread_not_found");
        }

        var thread = channel.Messages.Where(m => m == parent || (m.ThreadTs == ts && m.Ts != ts)).OrderBy(m => Ts(m.Ts)).ToList();
        var answer = Page(args, thread, 1000, 1000, "messages", m => MessageJson(channel, m));
        answer["has_more"] = answer["response_metadata"]?["next_cursor"]?.GetValue<string>() is { Length: > 0 };
        return answer;
    }
}
