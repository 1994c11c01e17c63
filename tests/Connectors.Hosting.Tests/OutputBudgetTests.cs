using Connectors.Hosting.Output;

namespace Connectors.Hosting.Tests;

public sealed class OutputBudgetTests
{
    [Fact]
    public void Text_within_budget_is_returned_unchanged()
    {
        var budget = new OutputBudget(1024);
        Assert.Equal("short\n", budget.Fit("short\n", _ => "never"));
    }

    [Fact]
    public void Multibyte_characters_are_never_split()
    {
        var budget = new OutputBudget(1024);
        var text = string.Concat(Enumerable.Repeat("日本語😀", 400));
        var fitted = budget.Fit(text, _ => "more");

        Assert.True(Encoding.UTF8.GetByteCount(fitted) <= 1024);
        Assert.DoesNotContain('\uFFFD', fitted);
        var head = fitted[..fitted.IndexOf("\n\n[Output truncated", StringComparison.Ordinal)];
        Assert.StartsWith(head, text, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(head[^1]));
    }

    [Fact]
    public void The_note_reports_kept_and_total_sizes()
    {
        var budget = new OutputBudget(1024);
        var text = string.Concat(Enumerable.Range(0, 100).Select(i => $"{i:D3} {new string('a', 40)}\n"));
        OutputCut? seen = null;
        var fitted = budget.Fit(text, cut =>
        {
            seen = cut;
            return $"continue at {cut.KeptLines}";
        });

        Assert.NotNull(seen);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), seen.Value.TotalBytes);
        Assert.StartsWith(text[..seen.Value.KeptBytes], fitted, StringComparison.Ordinal);
        Assert.Equal(seen.Value.KeptLines * 45, seen.Value.KeptBytes);
        Assert.Contains($"of {seen.Value.TotalBytes:N0} bytes", fitted, StringComparison.Ordinal);
        Assert.EndsWith($"continue at {seen.Value.KeptLines}]", fitted, StringComparison.Ordinal);
    }
}
