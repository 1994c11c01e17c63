using System.Net;
using Connectors.Hosting.Configuration;
using Microsoft.AspNetCore.Http;

namespace Connectors.Hosting.Http;

/// <summary>
/// DNS-rebinding protection: the Host header (and the Origin header, when a browser sends one) must name this machine's
/// loopback or an entry of the configured allow-lists. <c>*</c> in a list accepts any value.
/// </summary>
public sealed class HostOriginValidator(IReadOnlyList<string> allowedHosts, IReadOnlyList<string> allowedOrigins)
{
    public static HostOriginValidator From(ConnectorSettings settings) =>
        new(settings.Get(CommonOptions.AllowHosts), settings.Get(CommonOptions.AllowOrigins));

    /// <summary>Returns null when the request may proceed, otherwise why it may not.</summary>
    public string? Check(HttpRequest request)
    {
        var host = request.Host;
        if (!host.HasValue)
        {
            return "Missing Host header.";
        }

        if (!IsLoopbackHost(host.Host) && !IsListed(allowedHosts, host.Value!, host.Host))
        {
            return $"Host '{host.Value}' is not allowed. Configure --allow-hosts to accept it.";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || (originUri.Scheme != Uri.UriSchemeHttp && originUri.Scheme != Uri.UriSchemeHttps))
        {
            return $"Origin '{origin}' is not allowed.";
        }

        if (IsLoopbackHost(originUri.Host) || allowedOrigins.Any(o => o == "*" || string.Equals(o.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return $"Origin '{origin}' is not allowed. Configure --allow-origins to accept it.";
    }

    private static bool IsListed(IReadOnlyList<string> list, string hostWithPort, string hostOnly) =>
        list.Any(entry => entry == "*" ||
            string.Equals(entry, hostWithPort, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(entry, hostOnly, StringComparison.OrdinalIgnoreCase));

    private static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var trimmed = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(trimmed, out var address) && IPAddress.IsLoopback(address);
    }
}
