using System.Security.Claims;
using System.Text.Json.Serialization.Metadata;

namespace Connectors.GitHub.Api;

/// <summary>What every GitHub write tool does with its request: send it at most once per idempotency key.</summary>
internal static class GitHubWrites
{
    /// <summary>
    /// Sends one write, or replays its first result when <paramref name="key"/> was used for the same call
    /// (<paramref name="fingerprint"/> describes the call's target and arguments) within the cache's window.
    /// </summary>
    public static Task<IdempotentResult<TResult>> SendOnceAsync<TBody, TResult>(
        this GitHubClient client,
        IdempotencyCache idempotency,
        string tool,
        string? key,
        string fingerprint,
        ClaimsPrincipal? user,
        HttpMethod method,
        string path,
        TBody body,
        JsonTypeInfo<TBody> bodyType,
        JsonTypeInfo<TResult> resultType,
        string what,
        CancellationToken cancellationToken) =>
        idempotency.RunOnceAsync(tool, key, fingerprint, user, ct => client.SendAsync(method, path, body, bodyType, resultType, what, ct), resultType, cancellationToken);
}
