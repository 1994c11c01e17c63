using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Connectors.Hosting.Security;

/// <summary>
/// The RFC 9728 protected-resource metadata, still served by the SDK's MCP scheme, but only on its well-known path.
/// ASP.NET Core's authentication middleware offers every request to every scheme that handles requests itself; the SDK's
/// scheme is one, so each MCP call created and initialized its handler just to learn that <c>/mcp</c> is not its path.
/// Here no scheme is offered every request (<see cref="SchemesWithoutRequestHandling"/>), and the well-known path is an
/// endpoint that hands the request to those schemes in turn.
/// </summary>
internal static class ResourceMetadataEndpoint
{
    public const string Path = "/.well-known/oauth-protected-resource";

    /// <summary>Maps the well-known path and the paths under it (the form suffixed with the resource's path).</summary>
    public static void MapResourceMetadata(this IEndpointRouteBuilder endpoints, IReadOnlyList<string> schemes)
    {
        async Task ServeAsync(HttpContext context)
        {
            var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
            foreach (var scheme in schemes)
            {
                if (await handlers.GetHandlerAsync(context, scheme) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
                {
                    return;
                }
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }

        endpoints.Map(Path, ServeAsync);
        endpoints.Map(Path + "/{**resource}", ServeAsync);
    }

    /// <summary>The registered schemes, none of them asked to handle every request by itself.</summary>
    internal sealed class SchemesWithoutRequestHandling(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
    {
        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() => Task.FromResult(Enumerable.Empty<AuthenticationScheme>());
    }
}
