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
public static class UntrustedText
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

    private static (string Text, int Tags, int Comments) RemoveHiddenHtml(string text)
    {
        if (!text.Contains('<', StringComparison.Ordinal))
        {
            return (text, 0, 0);
        }

        var output = new StringBuilder(text.Length);
        var tags = 0;
        var comments = 0;
        var fence = "";
        var i = 0;
        while (i < text.Length)
        {
            var atLineStart = i == 0 || text[i - 1] == '\n';
            if (atLineStart && FenceAt(text, i) is { } marker && (fence.Length == 0 || (marker[0] == fence[0] && marker.Length >= fence.Length)))
            {
                fence = fence.Length == 0 ? marker : "";
                i = CopyLine(text, i, output);
                continue;
            }

            if (fence.Length > 0)
            {
                i = CopyLine(text, i, output);
                continue;
            }

            var c = text[i];
            if (c == '`')
            {
                i = CopyCodeSpan(text, i, output);
            }
            else if (c == '<' && string.CompareOrdinal(text, i, "<!--", 0, 4) == 0)
            {
                var end = text.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 3;
                output.Append(HiddenCommentMarker);
                comments++;
            }
            else if (c == '<' && TagAt(text, i) is { } tag)
            {
                i = WriteTag(text, tag, output, ref tags);
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return (tags + comments == 0 ? text : output.ToString(), tags, comments);
    }

    private static string? FenceAt(string text, int i)
    {
        var start = i;
        while (start < text.Length && start - i < 3 && text[start] == ' ')
        {
            start++;
        }

        if (start >= text.Length || text[start] is not ('`' or '~'))
        {
            return null;
        }

        var end = start;
        while (end < text.Length && text[end] == text[start])
        {
            end++;
        }

        return end - start >= 3 ? text[start..end] : null;
    }

    private static int CopyLine(string text, int i, StringBuilder output)
    {
        var end = text.IndexOf('\n', i);
        end = end < 0 ? text.Length : end + 1;
        output.Append(text, i, end - i);
        return end;
    }

    /// <summary>An inline code span (markdown shows its content literally); unmatched backticks are plain text.</summary>
    private static int CopyCodeSpan(string text, int i, StringBuilder output)
    {
        var run = 0;
        while (i + run < text.Length && text[i + run] == '`')
        {
            run++;
        }

        for (var j = i + run; j < text.Length; j++)
        {
            if (text[j] != '`')
            {
                continue;
            }

            var closing = 0;
            while (j + closing < text.Length && text[j + closing] == '`')
            {
                closing++;
            }

            if (closing == run)
            {
                output.Append(text, i, j + closing - i);
                return j + closing;
            }

            j += closing - 1;
        }

        output.Append(text, i, run);
        return i + run;
    }

    private readonly record struct Tag(int Start, int End, string Name, bool Closing, bool HasAttributes, bool SelfClosing);

    /// <summary>An HTML start or end tag at <paramref name="i"/> (quotes respected), or null when '&lt;' is just text.</summary>
    private static Tag? TagAt(string text, int i)
    {
        var p = i + 1;
        var closing = p < text.Length && text[p] == '/';
        if (closing)
        {
            p++;
        }

        var nameStart = p;
        if (p >= text.Length || !char.IsAsciiLetter(text[p]))
        {
            return null;
        }

        while (p < text.Length && (char.IsAsciiLetterOrDigit(text[p]) || text[p] == '-'))
        {
            p++;
        }

        var name = text[nameStart..p];
        if (p < text.Length && !char.IsWhiteSpace(text[p]) && text[p] is not ('>' or '/'))
        {
            return null;
        }

        var attributesStart = p;
        char quote = '\0';
        for (; p < text.Length && p - i < MaxTagLength; p++)
        {
            var c = text[p];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '<')
            {
                return null;
            }
            else if (c == '>')
            {
                var inner = text[attributesStart..p].Trim();
                var selfClosing = inner.EndsWith('/');
                var hasAttributes = inner.TrimEnd('/').Trim().Length > 0;
                return new Tag(i, p + 1, name, closing, hasAttributes, selfClosing);
            }
        }

        return null;
    }

    private static int WriteTag(string text, Tag tag, StringBuilder output, ref int removed)
    {
        if (SafeTags.Contains(tag.Name))
        {
            // Attributes (title, style, data-*) are where a renderer hides text; the bare tag keeps the formatting.
            output.Append(tag.Closing ? "</" : "<").Append(tag.Name.ToLowerInvariant()).Append(tag.SelfClosing ? " />" : ">");
            if (tag.HasAttributes)
            {
                removed++;
            }

            return tag.End;
        }

        removed++;
        if (!tag.Closing && !tag.SelfClosing && HiddenContentTags.Contains(tag.Name))
        {
            var close = text.IndexOf("</" + tag.Name, tag.End, StringComparison.OrdinalIgnoreCase);
            if (close < 0)
            {
                return text.Length;
            }

            var closeEnd = text.IndexOf('>', close);
            return closeEnd < 0 ? text.Length : closeEnd + 1;
        }

        return tag.End;
    }
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
