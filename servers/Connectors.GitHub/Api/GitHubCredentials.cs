using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Connectors.Hosting.Configuration;

namespace Connectors.GitHub.Api;

/// <summary>Where the server's own GitHub credential comes from: a personal access token, or a GitHub App installation.</summary>
internal interface IGitHubCredentials
{
    /// <summary>How doctor and get_me describe the credential (never the secret).</summary>
    string Kind { get; }

    ValueTask<string> GetTokenAsync(HttpClient http, CancellationToken cancellationToken);

    public static IGitHubCredentials From(ConnectorSettings settings, TimeProvider time)
    {
        var token = settings.Get(GitHubOptions.Token).Trim();
        var appId = settings.Get(GitHubOptions.AppId);
        var installationId = settings.Get(GitHubOptions.InstallationId);
        var privateKey = settings.Get(GitHubOptions.AppPrivateKey);
        var appParts = new[] { appId, installationId, privateKey }.Count(v => v.Length > 0);
        if (token.Length > 0 && appParts > 0)
        {
            throw new ConnectorConfigurationException(
                $"Give either a token ({GitHubOptions.Token.EnvironmentVariable}) or a GitHub App ({GitHubOptions.AppId.Name}, {GitHubOptions.InstallationId.Name}, {GitHubOptions.AppPrivateKey.EnvironmentVariable}_FILE), not both.");
        }

        if (token.Length > 0)
        {
            return new PersonalAccessToken(token);
        }

        if (appParts == 3)
        {
            return new GitHubAppInstallation(appId, installationId, GitHubAppInstallation.LoadKey(privateKey), time);
        }

        if (appParts > 0)
        {
            throw new ConnectorConfigurationException(
                $"A GitHub App needs all of {GitHubOptions.AppId.Name} ({GitHubOptions.AppId.EnvironmentVariable}), {GitHubOptions.InstallationId.Name} ({GitHubOptions.InstallationId.EnvironmentVariable}) and the private key ({GitHubOptions.AppPrivateKey.EnvironmentVariable}_FILE).");
        }

        throw new ConnectorConfigurationException(
            $"No GitHub credential: set {GitHubOptions.Token.EnvironmentVariable} (or {GitHubOptions.Token.EnvironmentVariable}_FILE) to a personal access token, " +
            $"or configure a GitHub App with {GitHubOptions.AppId.Name}, {GitHubOptions.InstallationId.Name} and {GitHubOptions.AppPrivateKey.EnvironmentVariable}_FILE.");
    }
}

internal sealed class PersonalAccessToken(string token) : IGitHubCredentials
{
    public string Kind => token.StartsWith("github_pat_", StringComparison.Ordinal) ? "fine-grained personal access token"
        : token.StartsWith("ghp_", StringComparison.Ordinal) ? "classic personal access token" : "token";

    public ValueTask<string> GetTokenAsync(HttpClient http, CancellationToken cancellationToken) => ValueTask.FromResult(token);
}

/// <summary>
/// A GitHub App installation: an RS256 JWT signed with the App's private key is exchanged for an installation token
/// (valid one hour), cached, and exchanged again five minutes before it expires.
/// </summary>
internal sealed class GitHubAppInstallation(string appId, string installationId, RSA key, TimeProvider time) : IGitHubCredentials, IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private GitHubInstallationToken? _current;

    public string Kind => $"GitHub App {appId}, installation {installationId}";

    public void Dispose()
    {
        _gate.Dispose();
        key.Dispose();
    }

    public static RSA LoadKey(string pem)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new ConnectorConfigurationException(
                $"{GitHubOptions.AppPrivateKey.Name}: not an RSA private key in PEM form (GitHub's .pem download starts with '-----BEGIN RSA PRIVATE KEY-----').");
        }
    }

    public async ValueTask<string> GetTokenAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (_current is { } fresh && fresh.ExpiresAt - time.GetUtcNow() > RefreshMargin)
        {
            return fresh.Token;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && again.ExpiresAt - time.GetUtcNow() > RefreshMargin)
            {
                return again.Token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, $"app/installations/{installationId}/access_tokens");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CreateJwt());
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var error = await GitHubErrors.ReadAsync(response, cancellationToken);
                throw ConnectorException.Unauthenticated(
                    $"GitHub refused the App's credentials ({(int)response.StatusCode}: {error?.Message ?? "no message"}). Check the App id, installation id and private key.");
            }

            _current = await response.Content.ReadFromJsonAsync(GitHubJson.Default.GitHubInstallationToken, cancellationToken)
                ?? throw ConnectorException.UpstreamUnavailable("GitHub answered the installation token request without a token.");
            return _current.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The App's JWT: issued a minute in the past (clock drift), valid nine minutes (GitHub allows ten).</summary>
    internal string CreateJwt()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"RS256","typ":"JWT"}"""u8);
        var payload = Base64Url(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"iat":{{now - 60}},"exp":{{now + 540}},"iss":{{appId}}}""")));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
