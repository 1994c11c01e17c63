using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// The Web API methods, answered from the workspace (called under its lock).
public sealed partial class SlackEmulator
{
    private JsonObject Dispatch(string method, Dictionary<string, string> args, EmulatedToken caller) => method switch
    {
        "auth.test" => AuthTest(caller),
        "conversations.list" => ConversationsList(args, caller),
        "conversations.info" => ConversationsInfo(args, caller),
        "conversations.history" => ConversationsHistory(args, caller),
        "conversations.replies" => ConversationsReplies(args, caller),
        "users.list" => UsersList(args, caller),
        "users.info" => UsersInfo(args, caller),
        "users.profile.get" => UsersProfileGet(args, caller),
        "users.lookupByEmail" => UsersLookupByEmail(args, caller),
        "search.messages" => SearchMessages(args, caller),
        "chat.postMessage" => PostMessage(args, caller),
        "reactions.add" => ReactionsAdd(args, caller),
        _ => Error("unknown_method"),
    };

    private JsonObject AuthTest(EmulatedToken caller)
    {
        var answer = Ok();
        answer["url"] = "https://emulated.slack.com/";
        answer["team"] = Workspace.TeamName;
        answer["user"] = Workspace.Users.FirstOrDefault(u => u.Id == caller.UserId)?.Name ?? "unknown";
        answer["team_id"] = Workspace.TeamId;
        answer["user_id"] = caller.UserId;
        if (caller.BotId is not null)
        {
            answer["bot_id"] = caller.BotId;
        }

        answer["is_enterprise_install"] = false;
        return answer;
    }

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

    private JsonObject UsersList(Dictionary<string, string> args, EmulatedToken caller) =>
        Page(args, Workspace.Users, 100, 1000, "members", u => UserJson(u, caller));

    private JsonObject UsersInfo(Dictionary<string, string> args, EmulatedToken caller)
    {
        if (Workspace.Users.FirstOrDefault(u => u.Id == args.GetValueOrDefault("user")) is not { } user)
        {
            return Error("user_not_found");
        }

        var answer = Ok();
        answer["user"] = UserJson(user, caller);
        return answer;
    }

    /// <summary>The profile alone (what the Node reference server reads); the caller's own when no user is given.</summary>
    private JsonObject UsersProfileGet(Dictionary<string, string> args, EmulatedToken caller)
    {
        var id = args.GetValueOrDefault("user") is { Length: > 0 } given ? given : caller.UserId;
        if (Workspace.Users.FirstOrDefault(u => u.Id == id) is not { } user)
        {
            return Error("user_not_found");
        }

        var answer = Ok();
        answer["profile"] = UserJson(user, caller)["profile"]!.DeepClone();
        return answer;
    }

    private JsonObject UsersLookupByEmail(Dictionary<string, string> args, EmulatedToken caller)
    {
        var email = args.GetValueOrDefault("email");
        if (Workspace.Users.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)) is not { } user)
        {
            return Error("users_not_found");
        }

        var answer = Ok();
        answer["user"] = UserJson(user, caller);
        return answer;
    }

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

    private EmulatedChannel? Visible(string? id, EmulatedToken caller) =>
        Workspace.Channels.FirstOrDefault(c => c.Id == id) is { } channel && (!channel.IsPrivate || channel.Members.Contains(caller.UserId)) ? channel : null;

    /// <summary>A channel whose messages the caller may read: bots only where they are members, as Slack enforces.</summary>
    private EmulatedChannel? Readable(Dictionary<string, string> args, EmulatedToken caller, out JsonObject? error)
    {
        error = null;
        if (Visible(args.GetValueOrDefault("channel"), caller) is not { } channel)
        {
            error = Error("channel_not_found");
            return null;
        }

        if (caller.IsBot && !channel.Members.Contains(caller.UserId))
        {
            error = Error("not_in_channel");
            return null;
        }

        return channel;
    }

    /// <summary>Cursor pagination as Slack does it: an opaque base64 cursor, empty next_cursor on the last page.</summary>
    private static JsonObject Page<T>(Dictionary<string, string> args, IReadOnlyList<T> items, int defaultLimit, int maxLimit, string field, Func<T, JsonNode> toJson)
    {
        var limit = Int(args, "limit") is int l and > 0 ? Math.Min(l, maxLimit) : defaultLimit;
        var offset = 0;
        if (args.GetValueOrDefault("cursor") is { Length: > 0 } cursor)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            }
            catch (FormatException)
            {
                return Error("invalid_cursor");
            }

            if (!decoded.StartsWith("next:", StringComparison.Ordinal) || !int.TryParse(decoded[5..], CultureInfo.InvariantCulture, out offset))
            {
                return Error("invalid_cursor");
            }
        }

        var answer = Ok();
        answer[field] = new JsonArray([.. items.Skip(offset).Take(limit).Select(toJson)]);
        var next = offset + limit < items.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"next:{offset + limit}")) : "";
        answer["response_metadata"] = new JsonObject { ["next_cursor"] = next };
        return answer;
    }

    private static JsonObject ChannelJson(EmulatedChannel channel, EmulatedToken caller)
    {
        var json = new JsonObject
        {
            ["id"] = channel.Id,
            ["created"] = 1_600_000_000,
            ["is_channel"] = !channel.IsPrivate && !channel.IsIm && !channel.IsMpim,
            ["is_group"] = channel.IsPrivate && !channel.IsIm && !channel.IsMpim,
            ["is_im"] = channel.IsIm,
            ["is_mpim"] = channel.IsMpim,
            ["is_private"] = channel.IsPrivate,
            ["is_archived"] = channel.IsArchived,
            ["is_member"] = channel.Members.Contains(caller.UserId),
        };
        if (channel.IsIm)
        {
            json["user"] = channel.ImUser;
            return json;
        }

        json["name"] = channel.Name;
        json["num_members"] = channel.Members.Count;
        json["topic"] = new JsonObject { ["value"] = channel.Topic, ["creator"] = "", ["last_set"] = 0 };
        json["purpose"] = new JsonObject { ["value"] = channel.Purpose, ["creator"] = "", ["last_set"] = 0 };
        return json;
    }

    private static JsonObject MessageJson(EmulatedChannel channel, EmulatedMessage message)
    {
        var json = new JsonObject { ["type"] = "message", ["ts"] = message.Ts, ["text"] = message.Text };
        Put(json, "user", message.User);
        Put(json, "bot_id", message.BotId);
        Put(json, "username", message.Username);
        Put(json, "subtype", message.Subtype);
        Put(json, "thread_ts", message.ThreadTs);
        if (message.BotId is not null && message.Username is not null)
        {
            json["bot_profile"] = new JsonObject { ["id"] = message.BotId, ["name"] = message.Username };
        }

        var replies = channel.Messages.Where(m => m.ThreadTs == message.Ts && m.Ts != message.Ts).ToList();
        if (replies.Count > 0)
        {
            json["thread_ts"] = message.Ts;
            json["reply_count"] = replies.Count;
            json["reply_users_count"] = replies.Select(r => r.User).Distinct().Count();
            json["latest_reply"] = replies.Max(r => r.Ts);
        }

        if (message.Edited)
        {
            json["edited"] = new JsonObject { ["user"] = message.User, ["ts"] = message.Ts };
        }

        if (message.Files.Count > 0)
        {
            json["files"] = new JsonArray([.. message.Files.Select(f => (JsonNode)new JsonObject
            {
                ["id"] = "F" + Math.Abs(f.Name.GetHashCode(StringComparison.Ordinal)), ["name"] = f.Name, ["title"] = f.Name, ["filetype"] = f.FileType, ["size"] = f.Size,
            })]);
        }

        if (message.Attachments.Count > 0)
        {
            json["attachments"] = new JsonArray([.. message.Attachments.Select(a => (JsonNode)new JsonObject
            {
                ["fallback"] = $"{a.Title}: {a.Text}", ["title"] = a.Title, ["text"] = a.Text, ["title_link"] = a.Link,
            })]);
        }

        if (message.Reactions.Count > 0)
        {
            json["reactions"] = new JsonArray([.. message.Reactions.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Key, ["count"] = r.Value.Count, ["users"] = new JsonArray([.. r.Value.Select(u => (JsonNode)u)]),
            })]);
        }

        return json;
    }

    private JsonObject UserJson(EmulatedUser user, EmulatedToken caller)
    {
        var profile = new JsonObject
        {
            ["display_name"] = user.DisplayName,
            ["real_name"] = user.RealName,
            ["title"] = user.Title,
            ["status_text"] = user.StatusText,
            ["status_emoji"] = user.StatusText.Length > 0 ? ":office:" : "",
        };
        if (user.Email is not null && caller.Scopes.Contains("users:read.email"))
        {
            profile["email"] = user.Email;
        }

        return new JsonObject
        {
            ["id"] = user.Id,
            ["team_id"] = Workspace.TeamId,
            ["name"] = user.Name,
            ["deleted"] = user.Deleted,
            ["real_name"] = user.RealName,
            ["tz"] = user.Tz,
            ["is_admin"] = user.IsAdmin,
            ["is_bot"] = user.IsBot,
            ["profile"] = profile,
        };
    }

    private static string TypeOf(EmulatedChannel channel) =>
        channel.IsIm ? "im" : channel.IsMpim ? "mpim" : channel.IsPrivate ? "private_channel" : "public_channel";

    private static void Put(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static decimal? Ts(string? value) =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ts) ? ts : null;

    private static int? Int(Dictionary<string, string> args, string name) =>
        int.TryParse(args.GetValueOrDefault(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
