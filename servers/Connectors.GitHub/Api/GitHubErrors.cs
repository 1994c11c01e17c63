using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectors.Hosting.Sanitization;

namespace Connectors.GitHub.Api;

/// <summary>Turns GitHub's error answers into the stable tool errors, in GitHub's own words where it gives them.</summary>
internal static class GitHubErrors
{
    private const int MaxMessageLength = 300;

    public static async Task<GitHubError?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(GitHubJson.Default.GitHubError, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    public static ConnectorException Map(HttpResponseMessage response, GitHubError? error, string what, DateTimeOffset now, bool write = false)
    {
        var status = (int)response.StatusCode;
        var message = Clean(error?.Message) ?? response.ReasonPhrase ?? "no message";
        var headers = response.Headers;
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                return ConnectorException.Unauthenticated(
                    $"GitHub rejected the server's credential ({message}): the token is invalid, expired or revoked. Renew GITHUB_TOKEN (or the App key) and restart the server.");
            case HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests when RateLimit(headers, message, now) is { } limited:
                return limited;
            case HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests:
                var needs = Header(headers, "X-Accepted-GitHub-Permissions") is { Length: > 0 } permissions
                    ? $" The token needs the permission: {permissions.Replace(";", " or", StringComparison.Ordinal)}."
                    : Header(headers, "X-Accepted-OAuth-Scopes") is { Length: > 0 } scopes ? $" The token needs one of the scopes: {scopes}." : "";
                return ConnectorException.PermissionDenied($"GitHub refused {what}: {message}.{needs}");
            case HttpStatusCode.NotFound:
                return ConnectorException.NotFound(
                    $"GitHub found no {what}. Check the names; GitHub also answers 'not found' for private repositories the token cannot see, so the token may lack access to it.");
            case HttpStatusCode.MethodNotAllowed or HttpStatusCode.Conflict:
                return ConnectorException.Conflict($"GitHub refused {what}: {message}.");
            case HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest:
                var details = error?.Errors?.Select(Detail).Where(d => d.Length > 0).ToList() ?? [];
                var field = error?.Errors?.Select(e => e.Field).FirstOrDefault(f => f is not null);
                return ConnectorException.InvalidArgument(field ?? "arguments", $"GitHub: {message}{(details.Count > 0 ? $" ({string.Join("; ", details)})" : "")}.");
            default:
                var unknown = write ? " The change may or may not have been made; check before trying again." : "";
                return status >= 500
                    ? ConnectorException.UpstreamUnavailable($"GitHub answered {status} ({message}) for {what}.{unknown}")
                    : new ConnectorException(ErrorCodes.UpstreamUnavailable, $"GitHub answered {status} ({message}) for {what}.");
        }
    }

    /// <summary>Primary limit (remaining 0: wait for the reset) or secondary limit (Retry-After, or GitHub's words).</summary>
    private static ConnectorException? RateLimit(System.Net.Http.Headers.HttpResponseHeaders headers, string message, DateTimeOffset now)
    {
        if (headers.RetryAfter?.Delta is { } delta)
        {
            return ConnectorException.RateLimited($"GitHub's secondary rate limit was hit ({message}). Wait before calling again.", Math.Max(1, (int)Math.Ceiling(delta.TotalSeconds)));
        }

        if (Header(headers, "X-RateLimit-Remaining") == "0" && long.TryParse(Header(headers, "X-RateLimit-Reset"), CultureInfo.InvariantCulture, out var reset))
        {
            var resource = Header(headers, "X-RateLimit-Resource") ?? "core";
            var seconds = (int)Math.Max(1, reset - now.ToUnixTimeSeconds());
            return ConnectorException.RateLimited($"GitHub's '{resource}' rate limit is used up; it resets in {seconds} s.", seconds);
        }

        return message.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase)
            ? ConnectorException.RateLimited($"GitHub's secondary rate limit was hit ({message}). Wait at least a minute.", 60)
            : null;
    }

    internal static string? Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Detail(GitHubErrorDetail detail) =>
        Clean(detail.Message) ?? string.Join(' ', new[] { detail.Field, detail.Code }.Where(p => !string.IsNullOrEmpty(p)));

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var clean = UntrustedText.Sanitize(text).Text.Trim().TrimEnd('.');
        return clean.Length <= MaxMessageLength ? clean : clean[..MaxMessageLength] + "…";
    }
}
