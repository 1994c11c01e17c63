using System.Text.Json.Nodes;

namespace Connectors.Testing.Slack;

// users.*: list, info, profile and lookup by email.
public sealed partial class SlackEmulator
{
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
}
