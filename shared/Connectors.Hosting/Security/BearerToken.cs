using Microsoft.AspNetCore.Http;

namespace Connectors.Hosting.Security;

/// <summary>Reads the one <c>Authorization: Bearer</c> credential of a request (RFC 6750 §2.1).</summary>
internal static class BearerToken
{
    public static bool TryRead(HttpRequest request, out string token, out AuthenticationResult? failure)
    {
        token = "";
        failure = null;
        var values = request.Headers.Authorization;
        if (values.Count == 0)
        {
            failure = AuthenticationResult.Missing("Send Authorization: Bearer <token>.");
            return false;
        }

        if (values.Count > 1)
        {
            failure = AuthenticationResult.Invalid("invalid_request", "Send exactly one Authorization header.");
            return false;
        }

        var value = values[0] ?? "";
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            failure = AuthenticationResult.Missing("Only the Bearer scheme is accepted.");
            return false;
        }

        token = value[scheme.Length..].Trim();
        if (token.Length == 0 || !token.All(IsToken68))
        {
            failure = AuthenticationResult.Invalid("invalid_request", "The bearer token is empty or malformed.");
            return false;
        }

        return true;
    }

    private static bool IsToken68(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '=';
}
