namespace Connectors.Slack.Api;

/// <summary>Slack's <c>ok:false</c> error names mapped to Connectors' stable codes, with what to do about each.</summary>
internal static class SlackErrors
{
    public static ConnectorException Map(SlackCall call, SlackResponse response)
    {
        var error = SafeName(response.Error);
        var channel = call.Argument("channel") ?? call.Channel ?? "the channel";
        var token = SlackTokens.Describe(call.Token);
        return error switch
        {
            "not_authed" or "invalid_auth" or "account_inactive" or "token_revoked" or "token_expired" or "org_login_required" =>
                ConnectorException.Unauthenticated(
                    $"Slack rejected the {token} ({error}). Check {SlackTokens.EnvironmentVariable(call.Token)}: it may be mistyped, revoked, or the app uninstalled."),
            "missing_scope" => ConnectorException.PermissionDenied(
                $"The Slack {token} lacks the scope '{SafeScopes(response.Needed)}' that {call.Method} needs" +
                (response.Provided is null ? "" : $" (it has: {SafeScopes(response.Provided)})") +
                ". Add it under OAuth & Permissions in the Slack app settings and reinstall the app."),
            "not_allowed_token_type" => ConnectorException.PermissionDenied(
                $"{call.Method} does not accept a {token}" + (call.Method == "search.messages" ? "; search needs a user token (SLACK_USER_TOKEN)." : ".")),
            "no_permission" or "restricted_action" or "ekm_access_denied" or "access_denied" or "team_access_not_granted" =>
                ConnectorException.PermissionDenied($"Slack refused {call.Method} for this {token} ({error}): a workspace setting or the token's rights forbid it."),
            "not_in_channel" => ConnectorException.PermissionDenied(
                $"The Slack app is not a member of {channel}. Invite it in that channel (/invite @<app name>), then try again."),
            "channel_not_found" => ConnectorException.NotFound(
                $"Channel {channel} was not found: it does not exist, or it is private and the Slack app is not in it (invite it with /invite @<app name>). list_channels shows what is visible."),
            "is_archived" => ConnectorException.PermissionDenied($"Channel {channel} is archived; nothing can be posted there."),
            "thread_not_found" or "message_not_found" => ConnectorException.NotFound(
                $"No message with ts {call.Argument("ts") ?? call.Argument("timestamp") ?? call.Argument("thread_ts")} in {channel}; take the ts from get_channel_history."),
            "user_not_found" or "users_not_found" => ConnectorException.NotFound(
                $"No Slack user matches {call.Argument("user") ?? call.Argument("email") ?? "that"}; list_users shows the people."),
            "invalid_cursor" => ConnectorException.InvalidArgument("cursor", "Slack did not accept this cursor; start again without one."),
            "invalid_name" => ConnectorException.InvalidArgument("name", "not an emoji name this workspace knows (give it without colons, e.g. thumbsup)."),
            "already_reacted" => new ConnectorException(ErrorCodes.AlreadyExists, "That reaction is already on the message."),
            "too_many_reactions" => ConnectorException.Conflict("That message already has as many reactions as Slack allows."),
            "no_text" or "msg_too_long" or "too_many_attachments" => ConnectorException.InvalidArgument("text", $"Slack refused the message ({error})."),
            "invalid_ts_latest" or "invalid_ts_oldest" => ConnectorException.InvalidArgument(error == "invalid_ts_latest" ? "latest" : "oldest", "not a Slack timestamp."),
            "fatal_error" or "internal_error" or "service_unavailable" or "request_timeout" => ConnectorException.UpstreamUnavailable(
                $"Slack failed to answer {call.Method} ({error}); try again shortly."),
            _ => new ConnectorException(ErrorCodes.UpstreamUnavailable, $"Slack refused {call.Method} ({error})."),
        };
    }

    /// <summary>Slack's error and warning names are snake_case words; anything else is not echoed back.</summary>
    public static string SafeName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or ',')
            ? name
            : "unknown_error";

    private static string SafeScopes(string? scopes) =>
        scopes is { Length: > 0 and <= 2000 } && scopes.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or ',' or '_' or '-')
            ? scopes
            : "unknown";
}
