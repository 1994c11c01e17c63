using System.ComponentModel;
using Connectors.GitHub.Api;
using Connectors.Hosting.Output;
using ModelContextProtocol.Server;

namespace Connectors.GitHub.Tools;

/// <summary>Who the server acts as.</summary>
[McpServerToolType]
internal sealed class ContextTools(GitHubClient client, OutputBudget budget)
{
    [McpServerTool(Name = "get_me", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("The account this server acts as.")]
    public async Task<string> GetMe(CancellationToken cancellationToken = default)
    {
        var me = await client.GetAsync("user", GitHubJson.Default.GitHubUser, "the signed-in user", cancellationToken);
        var text = new ToolText(budget);
        var user = me.Value;
        text.Line($"{text.Inline(user.Login)}{(user.Name is { Length: > 0 } name ? $" ({text.Inline(name)})" : "")} · {user.HtmlUrl}");
        text.Line($"Credential: {client.CredentialKind}{(me.OAuthScopes is { } scopes ? $" with scopes: {(scopes.Length == 0 ? "(none)" : scopes)}" : "")}");
        return text.Finish();
    }
}
