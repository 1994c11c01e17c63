using System.Security.Claims;
using Connectors.Hosting.Security;

namespace Connectors.Hosting.Tests.Security;

public sealed class CallerIdentityTests
{
    [Fact]
    public void A_principal_built_from_an_identity_gives_back_that_identity()
    {
        var caller = new CallerIdentity("alice", SecurityOptions.AuthApiKey, new HashSet<string> { "filesystem:read" });

        var principal = caller.ToPrincipal();

        Assert.Same(caller, CallerIdentity.From(principal));
        Assert.Equal("alice", principal.Identity?.Name);
        Assert.Equal(["filesystem:read"], principal.FindAll("scope").Select(c => c.Value));
    }

    [Fact]
    public void Any_other_authenticated_principal_is_read_from_its_claims()
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "bob"), new Claim("scope", "a"), new Claim("scope", "b")], "jwt", ClaimTypes.Name, ClaimTypes.Role);

        var caller = CallerIdentity.From(new ClaimsPrincipal(identity));

        Assert.NotNull(caller);
        Assert.Equal("jwt:bob", caller.Key);
        Assert.Equal(["a", "b"], caller.Scopes.Order());
    }

    [Fact]
    public void An_unauthenticated_principal_has_no_caller()
    {
        Assert.Null(CallerIdentity.From(new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Null(CallerIdentity.From(null));
    }
}
