using System.Text;
using Connectors.Hosting.Sanitization;

namespace Connectors.Hosting.Output;

/// <summary>
/// A tool answer written as text within the output budget, the one place the servers' text answers share: lines or whole
/// entries appended, untrusted strings cleaned through one sanitization tally, and the result fitted to the budget with
/// a hint on how to continue. GitHub's ToolText and Slack's PageText build on it.
/// </summary>
public class ResultText(OutputBudget budget)
{
    private readonly StringBuilder _text = new();
    private int _entryBytes;

    /// <summary>What the cleaning removed, for the notice at the end of the answer.</summary>
    public SanitizationTally Tally { get; } = new();

    /// <summary>Entries added by <see cref="TryAdd"/>.</summary>
    public int Count { get; private set; }

    /// <summary>True once an entry did not fit: the answer stops there, so the caller knows where to continue.</summary>
    public bool Full { get; private set; }

    /// <summary>Untrusted single-line text (titles, names): sanitized, newlines folded.</summary>
    public string Inline(string? text) => Tally.Clean(text, html: true).ReplaceLineEndings(" ").Trim();

    /// <summary>Untrusted markdown (bodies, comments, messages), sanitized.</summary>
    public string Block(string? text) => Tally.Clean(text, html: true).TrimEnd();

    /// <summary>Untrusted plain text (diffs, logs, file content): invisible characters removed, markup kept.</summary>
    public string Plain(string? text) => Tally.Clean(text);

    /// <summary>Adds a whole entry when it fits, leaving <paramref name="reserveBytes"/> for the header and notes.</summary>
    public bool TryAdd(string entry, int reserveBytes = 1024)
    {
        var size = Encoding.UTF8.GetByteCount(entry);
        if (Full || _entryBytes + size > budget.MaxBytes - reserveBytes)
        {
            Full = true;
            return false;
        }

        _text.Append(entry);
        _entryBytes += size;
        Count++;
        return true;
    }

    protected void AppendLine(string line) => _text.Append(line).Append('\n');

    protected string Written => _text.ToString();

    /// <summary>Whether <see cref="Fit"/> had to cut the text to the output budget (typed results say so too).</summary>
    public bool Cut { get; private set; }

    protected string Fit(string text, string howToContinue) => budget.Fit(text, _ =>
    {
        Cut = true;
        return howToContinue;
    });
}
