using Xunit;

namespace Connectors.Testing;

/// <summary>Assertions on a tool's text answer.</summary>
public static class TextAssert
{
    /// <summary>Each part appears in the text (ordinal); the first one missing fails with xunit's own message.</summary>
    public static void ContainsAll(string? text, params string[] parts)
    {
        Assert.NotNull(text);
        foreach (var part in parts)
        {
            Assert.Contains(part, text, StringComparison.Ordinal);
        }
    }
}
