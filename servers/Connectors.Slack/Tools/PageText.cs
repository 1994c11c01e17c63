using System.Text;
using Connectors.Hosting.Output;
using Connectors.Hosting.Sanitization;

namespace Connectors.Slack.Tools;

/// <summary>
/// A tool answer built entry by entry within the output budget: whole entries only, so the caller knows exactly where
/// the answer stopped and can say how to continue (a cursor, a ts).
/// </summary>
internal sealed class PageText(OutputBudget budget)
{
    // Room for the header, the notices and the continuation line.
    private const int ReserveBytes = 1024;

    private readonly StringBuilder _entries = new();
    private int _bytes;

    public int Count { get; private set; }

    public bool Full { get; private set; }

    public bool TryAdd(string entry)
    {
        var size = Encoding.UTF8.GetByteCount(entry);
        if (Full || _bytes + size > budget.MaxBytes - ReserveBytes)
        {
            Full = true;
            return false;
        }

        _entries.Append(entry);
        _bytes += size;
        Count++;
        return true;
    }

    /// <summary>Header, entries, then the notes (what the sanitizer removed, how to continue), each on its own line.</summary>
    public string Build(string header, SanitizationTally tally, params string?[] notes)
    {
        var text = new StringBuilder(header).Append('\n').Append(_entries);
        foreach (var note in notes.Append(tally.Notice))
        {
            if (!string.IsNullOrEmpty(note))
            {
                text.Append('[').Append(note).Append("]\n");
            }
        }

        return budget.Fit(text.ToString(), _ => "Ask for fewer items.");
    }
}
