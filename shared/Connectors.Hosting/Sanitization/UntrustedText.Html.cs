using System.Text;

namespace Connectors.Hosting.Sanitization;

/// <summary>Hidden HTML in upstream text: comments and tags that render as nothing, outside code fences and spans.</summary>
public static partial class UntrustedText
{
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
