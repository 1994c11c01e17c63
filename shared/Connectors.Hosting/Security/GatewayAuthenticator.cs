using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Connectors.Hosting.Security;

/// <summary>
/// <c>--auth gateway</c>: an API gateway in front has authenticated the caller and says who it is in headers. Those
/// headers are believed only when the gateway's shared secret comes along (compared in constant time).
/// </summary>
internal sealed class GatewayAuthenticator(string secret, string secretHeader, string userHeader, string rolesHeader) : IRequestAuthenticator
{
    private readonly byte[] _secretDigest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var presented = request.Headers[secretHeader];
        if (presented.Count != 1 ||
            !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented[0] ?? "")), _secretDigest))
        {
            return ValueTask.FromResult(AuthenticationResult.Invalid("This server accepts requests only through its gateway."));
        }

        var user = request.Headers[userHeader];
        if (user.Count != 1 || string.IsNullOrWhiteSpace(user[0]) || user[0]!.Length > 256)
        {
            return ValueTask.FromResult(AuthenticationResult.Invalid($"The gateway sent no single {userHeader} header."));
        }

        var scopes = CallerIdentity.ParseScopes(string.Join(',', request.Headers[rolesHeader].ToArray()));
        return ValueTask.FromResult(AuthenticationResult.Success(new CallerIdentity(user[0]!.Trim(), SecurityOptions.AuthGateway, scopes)));
    }
}
