using System.Text;
using Connectors.Hosting.Sanitization;

namespace Connectors.Slack.Tools;

/// <summary>
/// A tool answer built entry by entry within the output budget (<see cref="ResultText.TryAdd"/>): whole entries only, so
/// the caller knows exactly where the answer stopped and can say how to continue (a cursor, a ts).
/// </summary>
internal sealed class PageText(OutputBudget budget) : ResultText(budget)
{
    /// <summary>Header, entries, then the notes (what the sanitizer removed, how to continue), each on its own line.</summary>
    public string Build(string header, SanitizationTally tally, params string?[] notes)
    {
        var text = new StringBuilder(header).Append('\n').Append(Written);
        foreach (var note in notes.Append(tally.Notice))
        {
            if (!string.IsNullOrEmpty(note))
            {
                text.Append('[').Append(note).Append("]\n");
            }
        }

        return Fit(text.ToString(), "Ask for fewer items.");
    }
}
