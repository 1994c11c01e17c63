using System.Text;

namespace Connectors.Hosting.Output;

/// <summary>What a cut kept, so a tool can say how to get the rest.</summary>
/// <param name="KeptBytes">UTF-8 bytes kept.</param>
/// <param name="TotalBytes">UTF-8 bytes of the whole text.</param>
/// <param name="KeptLines">Whole lines kept (the text was cut at a line end when one was near).</param>
public readonly record struct OutputCut(int KeptBytes, int TotalBytes, int KeptLines);

/// <summary>
/// The size budget of one tool result. Text over budget is cut at a clean boundary (a line end when there is one in the
/// last quarter, never inside a UTF-8 sequence) and ends with a sentence saying what was cut and how to continue.
/// </summary>
public sealed class OutputBudget
{
    // Room kept for the closing note, so the whole result stays within the budget.
    private const int NoteReserveBytes = 400;

    public OutputBudget(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, NoteReserveBytes * 2);
        MaxBytes = maxBytes;
    }

    public int MaxBytes { get; }

    public bool Fits(string text) => Encoding.UTF8.GetByteCount(text) <= MaxBytes;

    /// <summary>Returns the text as is when it fits; otherwise its head plus a note built from <paramref name="howToContinue"/>.</summary>
    public string Fit(string text, Func<OutputCut, string> howToContinue)
    {
        var totalBytes = Encoding.UTF8.GetByteCount(text);
        if (totalBytes <= MaxBytes)
        {
            return text;
        }

        var head = Head(text, MaxBytes - NoteReserveBytes);
        var cut = new OutputCut(Encoding.UTF8.GetByteCount(head), totalBytes, CountLines(head));
        var note = $"[Output truncated: showing the first {cut.KeptBytes:N0} of {cut.TotalBytes:N0} bytes ({cut.KeptLines:N0} whole lines). {howToContinue(cut)}]";
        return head + (head.EndsWith('\n') ? "\n" : "\n\n") + note;
    }

    private static string Head(string text, int byteBudget)
    {
        // Walk characters so a surrogate pair or multi-byte sequence is never split.
        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            var width = char.IsHighSurrogate(text[end]) && end + 1 < text.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(end, width));
            if (bytes + size > byteBudget)
            {
                break;
            }

            bytes += size;
            end += width;
        }

        var lastNewline = text.LastIndexOf('\n', Math.Max(0, end - 1));
        if (lastNewline >= 0 && lastNewline + 1 >= end * 3 / 4)
        {
            end = lastNewline + 1;
        }

        return text[..end];
    }

    private static int CountLines(string head)
    {
        var count = 0;
        foreach (var c in head)
        {
            if (c == '\n')
            {
                count++;
            }
        }

        return count;
    }
}
