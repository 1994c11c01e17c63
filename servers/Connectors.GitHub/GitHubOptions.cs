using Connectors.Hosting.Configuration;

namespace Connectors.GitHub;

public static class GitHubOptions
{
    public static readonly IReadOnlyList<string> DefaultToolsets = ["context", "repos", "issues", "pull_requests"];

    public static readonly ConnectorOption<string> Token = ConnectorOption.Text(
        "--token", "GITHUB_TOKEN", "github.token",
        "GitHub token: a fine-grained or classic personal access token (or give a GitHub App instead). Prefer the environment or GITHUB_TOKEN_FILE.",
        secret: true);

    public static readonly ConnectorOption<string> ApiUrl = ConnectorOption.Url(
        "--api-url", "GITHUB_API_URL", "github.apiUrl",
        "REST API root: https://api.github.com/ or, for GitHub Enterprise Server, https://HOST/api/v3/.", "https://api.github.com/");

    public static readonly ConnectorOption<string> AppId = ConnectorOption.Text(
        "--app-id", "GITHUB_APP_ID", "github.appId", "GitHub App id (with --app-installation-id and the private key, instead of a token).",
        validate: v => v.Length == 0 || v.All(char.IsAsciiDigit) ? null : "must be the App's numeric id").Formerly(configKey: "github.app.id");

    public static readonly ConnectorOption<string> InstallationId = ConnectorOption.Text(
        "--app-installation-id", "GITHUB_APP_INSTALLATION_ID", "github.appInstallationId", "Installation id of the GitHub App on the account or organisation.",
        validate: v => v.Length == 0 || v.All(char.IsAsciiDigit) ? null : "must be the numeric installation id").Formerly("--installation-id", "GITHUB_INSTALLATION_ID", "github.app.installationId");

    public static readonly ConnectorOption<string> AppPrivateKey = ConnectorOption.Text(
        "--app-private-key", "GITHUB_APP_PRIVATE_KEY", "github.appPrivateKey",
        "The GitHub App's private key (PEM). Give the key file with GITHUB_APP_PRIVATE_KEY_FILE.", secret: true).Formerly(configKey: "github.app.privateKey");

    public static readonly ConnectorOption<IReadOnlyList<string>> Toolsets = ConnectorOption.List(
        "--toolsets", "GITHUB_TOOLSETS", "github.toolsets",
        $"Toolsets to offer (comma-separated, or 'all'). Default: {string.Join(",", DefaultToolsets)}; explore (branches, commits, repository search) and actions are off until named.");

    public static readonly ConnectorOption<bool> Lockdown = ConnectorOption.Flag(
        "--lockdown", "GITHUB_LOCKDOWN", "github.lockdown",
        "On public repositories, withhold issue/pull request bodies, comments and reviews by users without push access (counted, not shown).");

    public static IReadOnlyList<ConnectorOption> All { get; } = [Token, ApiUrl, AppId, InstallationId, AppPrivateKey, Toolsets, Lockdown];
}
