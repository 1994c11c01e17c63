using Connectors.Hosting.Logging;

namespace Connectors.Hosting.Tests;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("Host=db;Username=app;Password=hunter22;Database=x", "Password=***")]
    [InlineData("Authorization: Bearer abc.def.ghi", "Bearer ***")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used", "token *** used")]
    [InlineData("slack xoxb-1234567890-abcdefghij here", "slack *** here")]
    public void Known_credential_shapes_are_masked(string input, string expected)
    {
        var redacted = new SecretRedactor().Redact(input);
        Assert.Contains(expected, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_secret_values_are_masked_wherever_they_appear()
    {
        var redactor = new SecretRedactor();
        redactor.Add("my-very-own-key");
        Assert.Equal("key=*** and *** again", redactor.Redact("key=my-very-own-key and my-very-own-key again"));
    }
}
