using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// The JSON shapes Slack answers with: channels, messages and users.
public sealed partial class SlackEmulator
{
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
}
