using Connectors.GitHub.Api;

namespace Connectors.GitHub.Tools;

/// <summary>Who the server acts as.</summary>
[McpServerToolType]
internal sealed class ContextTools(GitHubClient client, OutputBudget budget)
{
    [McpServerTool(Name = "get_me", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(UserResult))]
    [Description("The account this server acts as.")]
    public async Task<CallToolResult> GetMe(CancellationToken cancellationToken = default)
    {
        var me = await client.GetAsync("user", GitHubJson.Default.GitHubUser, "the signed-in user", cancellationToken);
        var text = new ToolText(budget);
        var user = me.Value;
        var value = new UserResult(text.Inline(user.Login), user.Name is { Length: > 0 } ? text.Inline(user.Name) : null, user.HtmlUrl, client.CredentialKind, me.OAuthScopes);
        text.Line($"{value.Login}{(value.Name is { } name ? $" ({name})" : "")} · {user.HtmlUrl}");
        text.Line($"Credential: {client.CredentialKind}{(me.OAuthScopes is { } scopes ? $" with scopes: {(scopes.Length == 0 ? "(none)" : scopes)}" : "")}");
        return TypedResults.Create(text.Finish(), value, GitHubResultsJson.Default.UserResult);
    }
}
