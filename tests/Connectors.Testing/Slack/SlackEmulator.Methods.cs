using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// The Web API methods, answered from the workspace (called under its lock): the dispatch and what the methods share.
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
