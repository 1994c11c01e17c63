using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Connectors.Hosting.Security;

internal sealed class GatewayAuthenticationOptions : AuthenticationSchemeOptions
{
    public byte[] SecretDigest { get; set; } = [];

    public string SecretHeader { get; set; } = "";

    public string UserHeader { get; set; } = "";

    public string RolesHeader { get; set; } = "";
}

/// <summary>
/// <c>--auth gateway</c>: an API gateway in front has authenticated the caller and says who it is in headers. Those
/// headers are believed only when the gateway's shared secret comes along (compared in constant time).
/// </summary>
internal sealed class GatewayAuthenticationHandler(IOptionsMonitor<GatewayAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<GatewayAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "Gateway";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Options.SecretHeader];
        if (presented.Count != 1 ||
            !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented[0] ?? "")), Options.SecretDigest))
        {
            return Task.FromResult(AuthenticateResult.Fail("This server accepts requests only through its gateway."));
        }

        var user = Request.Headers[Options.UserHeader];
        if (user.Count != 1 || string.IsNullOrWhiteSpace(user[0]) || user[0]!.Length > 256)
        {
            return Task.FromResult(AuthenticateResult.Fail($"The gateway sent no single {Options.UserHeader} header."));
        }

        var scopes = CallerIdentity.ParseScopes(string.Join(',', Request.Headers[Options.RolesHeader].ToArray()));
        var principal = new CallerIdentity(user[0]!.Trim(), SecurityOptions.AuthGateway, scopes).ToPrincipal();
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
