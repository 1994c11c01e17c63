using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting.Http;

public static class EndpointRouteBuilderExtensions
{
    /// <summary>Maps the stateless Streamable HTTP endpoint (all methods, so GET/DELETE get a proper 405).</summary>
    public static IEndpointConventionBuilder MapMcpStreamableHttp(this IEndpointRouteBuilder endpoints, string pattern = "/mcp")
    {
        var handler = endpoints.ServiceProvider.GetRequiredService<StatelessMcpHttpHandler>();
        return endpoints.Map(pattern, handler.HandleAsync);
    }
}
