using System.Globalization;
using System.Text;

namespace Connectors.Hosting.Sanitization;

/// <summary>Text from an upstream after <see cref="UntrustedText.Sanitize"/>, with a count of what was taken out.</summary>
public sealed record SanitizedText(string Text, int InvisibleCharacters, int HtmlTags, int HiddenComments)
{
    public bool Changed => InvisibleCharacters + HtmlTags + HiddenComments > 0;
}

/// <summary>
/// Cleans text written by strangers (issue bodies, comments, chat messages) before an agent reads it. Instructions can
/// hide where a person reviewing the same text would not see them: invisible and bidi control characters, Unicode tag
/// characters that encode ASCII, HTML comments and tags that renderers hide. What is removed is counted so the tool can
/// say so; what a person would see is kept as written, and code spans and fenced blocks keep their markup.
/// </summary>
public static partial class UntrustedText
{
    /// <summary>Tags a renderer shows as formatting only; kept, without their attributes (which a renderer hides).</summary>
    private static readonly HashSet<string> SafeTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "b", "strong", "i", "em", "code", "pre", "kbd", "samp", "sub", "sup", "br", "p", "ul", "ol", "li", "blockquote",
        "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "del", "s", "ins", "table", "thead", "tbody",
        "tr", "th", "td",
    };

    /// <summary>Tags whose content never shows as text; removed with everything up to their closing tag.</summary>
    private static readonly HashSet<string> HiddenContentTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "svg", "math",
    };

    private const int MaxTagLength = 4096;

    public const string HiddenCommentMarker = "[hidden comment removed]";

    /// <summary>Removes invisible characters and, when <paramref name="html"/> (GitHub markdown), hidden HTML.</summary>
    public static SanitizedText Sanitize(string? text, bool html = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new SanitizedText("", 0, 0, 0);
        }

        if (!NeedsWork(text, html))
        {
            return new SanitizedText(text, 0, 0, 0);
        }

        var (visible, invisible) = RemoveInvisible(text);
        if (!html)
        {
            return new SanitizedText(visible, invisible, 0, 0);
        }

        var (clean, tags, comments) = RemoveHiddenHtml(visible);
        return new SanitizedText(clean, invisible, tags, comments);
    }

    /// <summary>A sentence for the reader, e.g. "Removed from untrusted text: 3 invisible characters, 1 hidden comment.".</summary>
    public static string? Describe(int invisibleCharacters, int htmlTags, int hiddenComments)
    {
        var parts = new List<string>(3);
        Add(invisibleCharacters, "invisible or direction-control character");
        Add(htmlTags, "HTML tag");
        Add(hiddenComments, "hidden comment");
        return parts.Count == 0 ? null : $"Removed from untrusted text: {string.Join(", ", parts)}.";

        void Add(int count, string what)
        {
            if (count > 0)
            {
                parts.Add(count == 1 ? $"1 {what}" : $"{count} {what}s");
            }
        }
    }

    private static bool NeedsWork(string text, bool html)
    {
        foreach (var c in text)
        {
            if (c >= 0x7F || (c < 0x20 && c is not ('\t' or '\n' or '\r')) || (html && c == '<'))
            {
                return true;
            }
        }

        return false;
    }

    private static (string Text, int Removed) RemoveInvisible(string text)
    {
        // Most non-ASCII text (accents, CJK, emoji) loses nothing: the copy starts only at the first character removed.
        StringBuilder? output = null;
        var lastKept = '\0';
        var removed = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int codePoint = c;
            var width = 1;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, text[i + 1]);
                width = 2;
            }

            if ((width == 1 && char.IsSurrogate(c)) || !Keep(text, i, width, codePoint, lastKept))
            {
                output ??= new StringBuilder(text.Length).Append(text, 0, i);
                removed++;
            }
            else
            {
                output?.Append(text, i, width);
                lastKept = text[i + width - 1];
            }

            i += width - 1;
        }

        return (output?.ToString() ?? text, removed);
    }

    /// <param name="lastKept">The last character kept so far ('\0' at the start).</param>
    private static bool Keep(string text, int index, int width, int codePoint, char lastKept)
    {
        switch (codePoint)
        {
            // Joiners shape emoji sequences and Indic/Persian words: kept only between two visible non-ASCII characters.
            case 0x200C or 0x200D:
                return lastKept > 0x7F && index > 0 && text[index - 1] > 0x7F && !IsJoiner(text[index - 1])
                    && index + width < text.Length && text[index + width] > 0x7F && !IsInvisible(CodePointAt(text, index + width));
            // One emoji presentation selector after a visible non-ASCII character; runs of selectors smuggle bytes.
            case 0xFE0E or 0xFE0F:
                return lastKept > 0x7F && !IsJoinerOrSelector(lastKept);
            default:
                return !IsInvisible(codePoint);
        }
    }

    private static bool IsJoinerOrSelector(char c) => IsJoiner(c) || c is >= '\uFE00' and <= '\uFE0F';

    private static bool IsJoiner(char c) => c is '\u200C' or '\u200D';

    private static int CodePointAt(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            ? char.ConvertToUtf32(text[index], text[index + 1])
            : text[index];

    private static bool IsInvisible(int codePoint) => codePoint switch
    {
        '\t' or '\n' or '\r' => false,
        < 0x20 or (>= 0x7F and <= 0x9F) => true,                 // C0/C1 controls, including ESC of terminal sequences
        0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFFA0 => true,
        >= 0x180B and <= 0x180F => true,                          // Mongolian selectors and vowel separator
        >= 0x200B and <= 0x200F => true,                          // zero-width space/joiners, LRM, RLM
        >= 0x202A and <= 0x202E => true,                          // bidi embeddings and overrides
        >= 0x2060 and <= 0x206F => true,                          // word joiner, invisible operators, bidi isolates
        >= 0xFE00 and <= 0xFE0F => true,                          // variation selectors
        0xFEFF or (>= 0xFFF9 and <= 0xFFFB) => true,              // zero-width no-break space, annotation anchors
        >= 0x1D173 and <= 0x1D17A => true,                        // musical formatting
        >= 0xE0000 and <= 0xE007F => true,                        // tag characters (ASCII in disguise)
        >= 0xE0100 and <= 0xE01EF => true,                        // variation selectors supplement
        _ => CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.Format,
    };
}

/// <summary>Sanitizes the fields of one tool result and adds up what was removed, for one notice per result.</summary>
public sealed class SanitizationTally
{
    public int InvisibleCharacters { get; private set; }

    public int HtmlTags { get; private set; }

    public int HiddenComments { get; private set; }

    /// <summary>The sanitized text (never null), counting what was removed.</summary>
    public string Clean(string? text, bool html = false)
    {
        var result = UntrustedText.Sanitize(text, html);
        InvisibleCharacters += result.InvisibleCharacters;
        HtmlTags += result.HtmlTags;
        HiddenComments += result.HiddenComments;
        return result.Text;
    }

    /// <summary>One sentence saying what was removed, or null when nothing was.</summary>
    public string? Notice => UntrustedText.Describe(InvisibleCharacters, HtmlTags, HiddenComments);
}
