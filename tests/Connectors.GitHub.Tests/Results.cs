namespace Connectors.GitHub.Tests;

internal static class Results
{
    /// <summary>The text of a successful result (fails the test with the error text otherwise).</summary>
    public static string Ok(this CallToolResult result)
    {
        Assert.True(result.IsError != true, result.Text());
        return result.Text();
    }
}
