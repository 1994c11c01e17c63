using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// search.messages, chat.postMessage and reactions.add.
public sealed partial class SlackEmulator
{
    /// <summary>Words must all appear (case-insensitive); in:#channel and from:@handle narrow the search.</summary>
    private JsonObject SearchMessages(Dictionary<string, string> args, EmulatedToken caller)
    {
        var query = args.GetValueOrDefault("query") ?? "";
        if (query.Trim().Length == 0)
        {
            return Error("no_query");
        }

        var words = new List<string>();
        string? inChannel = null;
        string? fromUser = null;
        foreach (var part in query.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("in:", StringComparison.OrdinalIgnoreCase))
            {
                inChannel = part[3..].TrimStart('#');
            }
            else if (part.StartsWith("from:", StringComparison.OrdinalIgnoreCase))
            {
                fromUser = part[5..].TrimStart('@');
            }
            else
            {
                words.Add(part);
            }
        }

        var fromId = fromUser is null ? null : Workspace.Users.FirstOrDefault(u => u.Name == fromUser)?.Id ?? "none";
        var matches = Workspace.Channels
            .Where(c => !c.IsPrivate || c.Members.Contains(caller.UserId))
            .Where(c => inChannel is null || c.Name == inChannel)
            .SelectMany(c => c.Messages.Select(m => (Channel: c, Message: m)))
            .Where(x => fromId is null || x.Message.User == fromId)
            .Where(x => words.All(w => x.Message.Text.Contains(w, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(x => Ts(x.Message.Ts))
            .ToList();

        var count = Math.Clamp(Int(args, "count") ?? 20, 1, 100);
        var page = Math.Max(1, Int(args, "page") ?? 1);
        var pages = Math.Max(1, (matches.Count + count - 1) / count);
        var shown = matches.Skip((page - 1) * count).Take(count).Select(x => (JsonNode)new JsonObject
        {
            ["iid"] = Guid.NewGuid().ToString(),
            ["team"] = Workspace.TeamId,
            ["channel"] = new JsonObject { ["id"] = x.Channel.Id, ["name"] = x.Channel.Name, ["is_private"] = x.Channel.IsPrivate },
            ["type"] = "message",
            ["user"] = x.Message.User,
            ["username"] = Workspace.Users.FirstOrDefault(u => u.Id == x.Message.User)?.Name ?? x.Message.Username,
            ["ts"] = x.Message.Ts,
            ["text"] = x.Message.Text,
            ["permalink"] = $"https://emulated.slack.com/archives/{x.Channel.Id}/p{x.Message.Ts.Replace(".", "", StringComparison.Ordinal)}",
        }).ToArray();

        var answer = Ok();
        answer["query"] = query;
        answer["messages"] = new JsonObject
        {
            ["total"] = matches.Count,
            ["matches"] = new JsonArray(shown),
            ["pagination"] = new JsonObject
            {
                ["total_count"] = matches.Count, ["page"] = page, ["per_page"] = count, ["page_count"] = pages,
                ["first"] = matches.Count == 0 ? 0 : ((page - 1) * count) + 1, ["last"] = Math.Min(page * count, matches.Count),
            },
            ["paging"] = new JsonObject { ["count"] = count, ["total"] = matches.Count, ["page"] = page, ["pages"] = pages },
        };
        return answer;
    }

    private JsonObject PostMessage(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Visible(args.GetValueOrDefault("channel"), caller) is not { } channel)
        {
            return Error("channel_not_found");
        }

        if (!channel.Members.Contains(caller.UserId))
        {
            return Error("not_in_channel");
        }

        if (channel.IsArchived)
        {
            return Error("is_archived");
        }

        var text = args.GetValueOrDefault("text") ?? "";
        if (text.Length == 0)
        {
            return Error("no_text");
        }

        if (text.Length > 40_000)
        {
            return Error("msg_too_long");
        }

        var threadTs = args.GetValueOrDefault("thread_ts");
        if (threadTs is not null && channel.Messages.All(m => m.Ts != threadTs))
        {
            return Error("thread_not_found");
        }

        var message = new EmulatedMessage
        {
            Ts = Workspace.NewTs(DateTimeOffset.UtcNow),
            User = caller.UserId,
            BotId = caller.BotId,
            Text = text,
            ThreadTs = threadTs,
            ReplyBroadcast = args.GetValueOrDefault("reply_broadcast") is "true" or "1",
            UnfurlLinks = args.GetValueOrDefault("unfurl_links") is "true" or "1",
            UnfurlMedia = args.GetValueOrDefault("unfurl_media") is "true" or "1",
        };
        channel.Messages.Add(message);
        PostRequests.Enqueue(new Dictionary<string, string>(args, StringComparer.Ordinal));
        var answer = Ok();
        answer["channel"] = channel.Id;
        answer["ts"] = message.Ts;
        answer["message"] = MessageJson(channel, message);
        return answer;
    }

    private JsonObject ReactionsAdd(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Visible(args.GetValueOrDefault("channel"), caller) is not { } channel)
        {
            return Error("channel_not_found");
        }

        var name = args.GetValueOrDefault("name") ?? "";
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '+'))
        {
            return Error("invalid_name");
        }

        if (channel.Messages.FirstOrDefault(m => m.Ts == args.GetValueOrDefault("timestamp")) is not { } message)
        {
            return Error("message_not_found");
        }

        var who = message.Reactions.TryGetValue(name, out var users) ? users : message.Reactions[name] = [];
        if (who.Contains(caller.UserId))
        {
            return Error("already_reacted");
        }

        who.Add(caller.UserId);
        return Ok();
    }
}
