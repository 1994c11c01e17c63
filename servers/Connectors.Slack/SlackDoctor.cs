using Connectors.Hosting.Diagnostics;
using Connectors.Slack.Api;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Connectors.Slack;

/// <summary>
/// The <c>doctor</c> checks: each configured token is asked <c>auth.test</c> (against --api-url), and the scopes Slack says
/// it has (<c>x-oauth-scopes</c>) are compared with what the enabled tools need.
/// </summary>
internal static class SlackDoctor
{
    /// <summary>Scopes without which enabled tools fail, and scopes that only widen what they see (private channels, DMs, emails).</summary>
    public static (IReadOnlyList<string> Required, IReadOnlyList<string> Recommended) ScopesFor(SlackTokenKind kind, SlackTokens tokens, bool posting)
    {
        var required = new List<string>();
        var recommended = new List<string>();
        if (kind == tokens.Default)
        {
            required.AddRange(["channels:read", "channels:history", "users:read"]);
            recommended.AddRange(["groups:read", "groups:history", "im:read", "im:history", "mpim:read", "mpim:history", "users:read.email"]);
            if (posting)
            {
                required.AddRange(["chat:write", "reactions:write"]);
            }
        }

        if (kind == SlackTokenKind.User)
        {
            required.Add("search:read");
        }

        return (required, recommended);
    }

    public static async Task<HealthCheckResult> CheckAsync(SlackApiClient slack, SlackTokenKind kind, bool posting, CancellationToken cancellationToken)
    {
        AuthTestResponse identity;
        string? granted;
        try
        {
            (identity, granted) = await slack.CallWithHeadersAsync(
                new SlackCall("auth.test", new Dictionary<string, string?>(), kind), SlackJsonContext.Default.AuthTestResponse, cancellationToken);
        }
        catch (ConnectorException ex)
        {
            return HealthCheckResult.Unhealthy($"{SlackTokens.EnvironmentVariable(kind)}: {ex.Message}");
        }

        var who = $"{SlackTokens.EnvironmentVariable(kind)}: {Safe(identity.User)} ({identity.UserId}) in {Safe(identity.Team)} ({identity.TeamId})";
        var (required, recommended) = ScopesFor(kind, slack.Tokens, posting);
        if (granted is null)
        {
            return HealthCheckResult.Degraded($"{who}; Slack did not list the token's scopes, so they were not checked (needed: {string.Join(", ", required)}).");
        }

        var have = granted.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var missing = required.Where(s => !have.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"{who}; missing scopes the enabled tools need: {string.Join(", ", missing)}. Add them under OAuth & Permissions and reinstall the app.");
        }

        var narrower = recommended.Where(s => !have.Contains(s)).ToList();
        return narrower.Count > 0
            ? HealthCheckResult.Degraded($"{who}; required scopes granted, but without {string.Join(", ", narrower)} private channels, DMs or email lookups stay out of reach.")
            : HealthCheckResult.Healthy($"{who}; all needed scopes granted.");
    }

    private static string Safe(string? value) => Hosting.Sanitization.UntrustedText.Sanitize(value).Text.ReplaceLineEndings(" ");
}
