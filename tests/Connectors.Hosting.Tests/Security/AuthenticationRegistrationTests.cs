using Connectors.Hosting.Configuration;
using Connectors.Hosting.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Hosting.Tests.Security;

public sealed class AuthenticationRegistrationTests
{
    private static ServiceCollection Register(Dictionary<ConnectorOption, object?> options)
    {
        var services = new ServiceCollection();
        services.AddConnectorAuthentication(new ConnectorServer("connectors-test", "test"), ConnectorSettings.From(options), ["http://127.0.0.1:0"]);
        return services;
    }

    [Fact]
    public void Without_authentication_nothing_is_registered_that_would_put_its_middleware_in_front_of_every_request()
    {
        // WebApplication adds the authentication and authorization middlewares itself wherever their services are registered.
        var services = Register([]);

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IAuthenticationSchemeProvider));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IAuthorizationHandlerProvider));
    }

    [Fact]
    public void With_api_keys_the_scheme_is_registered_and_no_authorization_middleware_would_run()
    {
        // The endpoint's one requirement, an authenticated caller, is CallerRequirement's; an authorization middleware
        // evaluating a policy on every call besides it is what the API-key throughput lost.
        var services = Register(new() { [SecurityOptions.Auth] = SecurityOptions.AuthApiKey, [SecurityOptions.ApiKeys] = new List<string> { "alice:0123456789abcdef0123" } });

        Assert.Contains(services, d => d.ServiceType == typeof(IAuthenticationSchemeProvider));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IAuthorizationHandlerProvider));
    }
}
