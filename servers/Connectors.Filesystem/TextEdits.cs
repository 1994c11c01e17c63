namespace Connectors.Filesystem;

/// <summary>
/// One edit_file replacement. An exact match must be unique. Failing that, lines are compared ignoring leading and
/// trailing whitespace (models often get indentation wrong); the replacement is then re-indented to the file's indentation.
/// </summary>
internal static class TextEdits
{
    public static string Apply(string content, string oldText, string newText, string argument)
    {
        if (oldText.Length == 0)
        {
            throw ConnectorException.InvalidArgument(argument + ".oldText", "must not be empty; to write a whole file use write_file.");
        }

        var first = content.IndexOf(oldText, StringComparison.Ordinal);
        if (first >= 0)
        {
            var count = Occurrences(content, oldText);
            if (count > 1)
            {
                throw Ambiguous(argument, count);
            }

            return string.Concat(content.AsSpan(0, first), newText, content.AsSpan(first + oldText.Length));
        }

        var lines = content.Split('\n');
        var oldLines = TrimFinalEmpty(oldText.Split('\n'));
        var matches = new List<int>();
        for (var i = 0; i + oldLines.Length <= lines.Length; i++)
        {
            var match = true;
            for (var j = 0; j < oldLines.Length && match; j++)
            {
                match = lines[i + j].Trim() == oldLines[j].Trim();
            }

            if (match)
            {
                matches.Add(i);
            }
        }

        if (matches.Count == 0)
        {
            throw ConnectorException.InvalidArgument(argument + ".oldText",
                "not found in the file, neither exactly nor line by line ignoring indentation. Read the file again (it may differ from what you expect) and copy the text exactly.");
        }

        if (matches.Count > 1)
        {
            throw Ambiguous(argument, matches.Count);
        }

        var at = matches[0];
        var fileIndent = Indent(lines[at]);
        var oldIndent = Indent(oldLines[0]);
        var newLines = TrimFinalEmpty(newText.Split('\n')).Select(line =>
            line.Trim().Length == 0 ? ""
            : line.StartsWith(oldIndent, StringComparison.Ordinal) ? fileIndent + line[oldIndent.Length..]
            : fileIndent + line.TrimStart());
        return string.Join('\n', lines[..at].Concat(newLines).Concat(lines[(at + oldLines.Length)..]));
    }

    private static ConnectorException Ambiguous(string argument, int count) => ConnectorException.InvalidArgument(argument + ".oldText",
        $"matches {count} places; include more surrounding lines so that it matches exactly one.");

    private static int Occurrences(string content, string value)
    {
        var count = 0;
        for (var i = content.IndexOf(value, StringComparison.Ordinal); i >= 0; i = content.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string[] TrimFinalEmpty(string[] lines) => lines.Length > 1 && lines[^1].Length == 0 ? lines[..^1] : lines;

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];
}
