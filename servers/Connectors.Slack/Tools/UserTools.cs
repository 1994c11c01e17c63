using System.Globalization;
using System.Text;
using Connectors.Hosting.Sanitization;
using Connectors.Slack.Api;

namespace Connectors.Slack.Tools;

/// <summary>The people of the workspace. Lookups go through the bounded <see cref="SlackDirectory"/> cache.</summary>
[McpServerToolType]
internal sealed class UserTools(SlackApiClient slack, SlackDirectory directory, OutputBudget budget)
{
    [McpServerTool(Name = "list_users", Title = "List people", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(UserList))]
    [Description("Lists the workspace's people: @handle, ID, name, title, time zone; bots and deactivated accounts left out unless asked. Paged with cursor.")]
    public async Task<CallToolResult> ListUsers(
        [Description("People per page, 1 to 1000 (default 200).")] int limit = 200,
        [Description("Cursor from a previous answer, to get the next page.")] string? cursor = null,
        [Description("Include bots and apps.")] bool include_bots = false,
        [Description("Include deactivated accounts.")] bool include_deleted = false,
        CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000)
        {
            throw ConnectorException.InvalidArgument(nameof(limit), "between 1 and 1000.");
        }

        var list = await slack.CallAsync(
            new SlackCall("users.list", SlackDirectory.Args(("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)), slack.Tokens.Default),
            SlackJsonContext.Default.UserListResponse, cancellationToken);
        var tally = new SanitizationTally();
        var page = new PageText(budget);
        var shown = new List<UserItem>();
        foreach (var user in list.Members)
        {
            directory.Remember(user);
            if ((user.IsBot && !include_bots) || (user.Deleted && !include_deleted) || user.Id == "USLACKBOT")
            {
                continue;
            }

            var (line, item) = Line(user, tally);
            if (!page.TryAdd(line))
            {
                break;
            }

            shown.Add(item);
        }

        var more = list.NextCursor is { } next ? $"More people: call list_users again with cursor=\"{next}\"." : null;
        var cut = page.Full ? "The answer reached its size budget; use a smaller limit and the cursor." : null;
        return TypedResults.Create(page.Build($"{page.Count} people:", tally, cut, more), new UserList(shown, page.Full, list.NextCursor), SlackResultsJson.Default.UserList);
    }

    [McpServerTool(Name = "get_user_profile", Title = "Get a person's profile", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(UserItem))]
    [Description("One person's profile: names, handle, ID, title, email (when the token may see it), status, time zone, and whether a bot, admin or deactivated.")]
    public async Task<CallToolResult> GetUserProfile(
        [Description("User ID (U0123ABCD), handle (@jane) or email address.")] string user,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            throw ConnectorException.InvalidArgument(nameof(user), "give a user ID (U0123ABCD), a handle (@jane) or an email address.");
        }

        var found = await directory.UserAsync(user, cancellationToken);
        var tally = new SanitizationTally();
        var profile = found.Profile;
        var text = new StringBuilder();
        var handle = tally.Clean(found.Name);
        text.Append(CultureInfo.InvariantCulture, $"@{handle} ({found.Id})\n");
        var item = new UserItem(found.Id, handle,
            Field("Display name", profile?.DisplayName),
            Field("Real name", profile?.RealName ?? found.RealName),
            Field("Title", profile?.Title),
            Field("Email", profile?.Email),
            Field("Status", string.Join(' ', new[] { profile?.StatusEmoji, profile?.StatusText }.Where(s => !string.IsNullOrEmpty(s)))),
            Field("Time zone", found.Tz),
            found.IsBot, found.IsAdmin, found.Deleted);
        var flags = Flags(found);
        if (flags.Length > 0)
        {
            text.Append("Account: ").Append(flags).Append('\n');
        }

        if (tally.Notice is { } notice)
        {
            text.Append('[').Append(notice).Append("]\n");
        }

        return TypedResults.Create(text.ToString(), item, SlackResultsJson.Default.UserItem);

        // Writes the field's line when it has a value, and returns the value as shown.
        string? Field(string label, string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            var shown = tally.Clean(value).ReplaceLineEndings(" ");
            text.Append(label).Append(": ").Append(shown).Append('\n');
            return shown;
        }
    }

    private static (string Line, UserItem Item) Line(SlackUser user, SanitizationTally tally)
    {
        var line = new StringBuilder();
        var handle = tally.Clean(user.Name);
        var display = tally.Clean(SlackDirectory.DisplayName(user)).ReplaceLineEndings(" ");
        line.Append(CultureInfo.InvariantCulture, $"@{handle} ({user.Id}) {display}");
        string? title = null, tz = null;
        if (user.Profile?.Title is { Length: > 0 } rawTitle)
        {
            title = tally.Clean(rawTitle).ReplaceLineEndings(" ");
            line.Append(" — ").Append(title);
        }

        if (user.Tz is { Length: > 0 } rawTz)
        {
            tz = tally.Clean(rawTz);
            line.Append(", ").Append(tz);
        }

        var flags = Flags(user);
        var item = new UserItem(user.Id, handle, display, user.RealName is null ? null : tally.Clean(user.RealName).ReplaceLineEndings(" "), title, null, null, tz, user.IsBot, user.IsAdmin, user.Deleted);
        return (line.Append(flags.Length > 0 ? $" [{flags}]" : "").Append('\n').ToString(), item);
    }

    private static string Flags(SlackUser user) =>
        string.Join(", ", new[] { user.IsBot ? "bot" : null, user.IsAdmin ? "admin" : null, user.Deleted ? "deactivated" : null }.OfType<string>());
}
