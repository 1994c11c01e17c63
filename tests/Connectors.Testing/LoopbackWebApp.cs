using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connectors.Testing;

/// <summary>A quiet web app on a free 127.0.0.1 port, for the fakes tests talk to (API emulators, an OIDC issuer).</summary>
public static class LoopbackWebApp
{
    /// <summary>A slim app without logging that will listen on a free loopback port; map its routes, then <see cref="StartAsync"/>.</summary>
    /// <param name="address">
    /// Another address of this machine to listen on instead of loopback: a container bridge's gateway, the one address of
    /// the host that servers running in containers can reach.
    /// </param>
    public static WebApplication Create(IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(address ?? IPAddress.Loopback, 0));
        return builder.Build();
    }

    /// <summary>Starts the app and returns its base address without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public static async Task<string> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }
}
