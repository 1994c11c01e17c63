using System.Globalization;
using Connectors.Hosting.Sanitization;

namespace Connectors.GitHub;

/// <summary>
/// One tool result as compact, readable records: every string from GitHub is sanitized through one tally, lockdown
/// withholdings are counted, and the end says what was removed and how to get more.
/// </summary>
internal sealed class ToolText(OutputBudget budget, Lockdown? lockdown = null) : ResultText(budget)
{
    public Lockdown Lockdown { get; } = lockdown ?? Lockdown.Off;

    public ToolText Line(string line = "")
    {
        AppendLine(line);
        return this;
    }

    /// <summary>Writes a body indented under its record, or withheld under lockdown; returns it as shown: sanitized, or null when withheld.</summary>
    public string? Shown(string? body, string? authorAssociation, string indent = "  ")
    {
        if (!Lockdown.Shows(authorAssociation))
        {
            Line($"{indent}[withheld by lockdown: author has no push access]");
            return null;
        }

        var clean = Block(body);
        if (clean.Length == 0)
        {
            return clean;
        }

        foreach (var line in clean.Split('\n'))
        {
            Line(indent + line.TrimEnd('\r'));
        }

        return clean;
    }

    public static string Date(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>What a write's answer adds when its idempotency_key replayed an earlier call ("" otherwise).</summary>
    public static string Replay<T>(IdempotentResult<T> result) =>
        result.Replayed ? $" (replayed: the call with this idempotency_key already ran at {Date(result.FirstCalledAt)})" : "";

    /// <summary>The result: records, then the notices, cut to the output budget with <paramref name="howToContinue"/>.</summary>
    public string Finish(string? more = null, string howToContinue = "Ask for a smaller per_page, or the next page.")
    {
        if (more is not null)
        {
            Line().Line(more);
        }

        if (Lockdown.Withheld > 0)
        {
            Line($"Lockdown: withheld {Lockdown.Withheld} text(s) by authors without push access on this public repository.");
        }

        if (Tally.Notice is { } notice)
        {
            Line(notice);
        }

        return Fit(Written.TrimEnd('\n') + "\n", howToContinue);
    }

    /// <summary>The page after <paramref name="page"/>, when GitHub's Link header has one.</summary>
    public static int? NextPage(bool hasNext, int page) => hasNext ? page + 1 : null;

    /// <summary>"More exist" line for a page, when GitHub's Link header has a next page.</summary>
    public static string? More(bool hasNext, int page, string what = "results") =>
        hasNext ? $"More {what} exist: call again with page={page + 1}." : null;
}
