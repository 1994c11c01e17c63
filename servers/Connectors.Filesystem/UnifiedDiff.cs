using System.Globalization;
using System.Text;

namespace Connectors.Filesystem;

/// <summary>A unified diff of two texts by lines (Myers' algorithm on what remains after the common head and tail).</summary>
internal static class UnifiedDiff
{
    private const int ContextLines = 3;

    // Past this many differences the middle is shown as one replacement: still a correct diff, just not minimal.
    private const int MaxEditDistance = 2000;

    private enum Op
    {
        Equal,
        Delete,
        Insert,
    }

    public static string Create(string before, string after, string path)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        var script = Script(a, b);
        var text = new StringBuilder();
        text.Append("--- ").Append(path).Append('\n').Append("+++ ").Append(path).Append('\n');

        var index = 0;
        while (index < script.Count)
        {
            // Find the next change, then extend the hunk while changes are within 2*context lines of each other.
            var firstChange = script.FindIndex(index, s => s.Op != Op.Equal);
            if (firstChange < 0)
            {
                break;
            }

            var start = Math.Max(index, firstChange - ContextLines);
            var end = firstChange;
            var lastChange = firstChange;
            while (end < script.Count)
            {
                if (script[end].Op != Op.Equal)
                {
                    lastChange = end;
                }
                else if (end - lastChange > 2 * ContextLines)
                {
                    break;
                }

                end++;
            }

            end = Math.Min(script.Count, lastChange + ContextLines + 1);
            AppendHunk(text, script, start, end, a, b);
            index = end;
        }

        return text.ToString();
    }

    private static void AppendHunk(StringBuilder text, List<(Op Op, int A, int B)> script, int start, int end, string[] a, string[] b)
    {
        var hunk = script.GetRange(start, end - start);
        var aCount = hunk.Count(s => s.Op != Op.Insert);
        var bCount = hunk.Count(s => s.Op != Op.Delete);
        var aStart = hunk.Find(s => s.Op != Op.Insert).A;
        var bStart = hunk.Find(s => s.Op != Op.Delete).B;

        // Per the format, an empty side names the line before it (0 when at the top).
        aStart = aCount == 0 ? PrecedingLine(script, start, s => s.A, Op.Insert) : aStart + 1;
        bStart = bCount == 0 ? PrecedingLine(script, start, s => s.B, Op.Delete) : bStart + 1;
        text.Append(CultureInfo.InvariantCulture, $"@@ -{aStart},{aCount} +{bStart},{bCount} @@\n");
        foreach (var (op, ai, bi) in hunk)
        {
            text.Append(op switch { Op.Equal => ' ', Op.Delete => '-', _ => '+' })
                .Append(op == Op.Insert ? b[bi] : a[ai]).Append('\n');
        }
    }

    private static int PrecedingLine(List<(Op Op, int A, int B)> script, int start, Func<(Op Op, int A, int B), int> side, Op skip)
    {
        for (var i = start - 1; i >= 0; i--)
        {
            if (script[i].Op != skip)
            {
                return side(script[i]) + 1;
            }
        }

        return 0;
    }

    private static string[] SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static List<(Op Op, int A, int B)> Script(string[] a, string[] b)
    {
        var head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
        {
            head++;
        }

        var tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[^(tail + 1)] == b[^(tail + 1)])
        {
            tail++;
        }

        var script = new List<(Op, int, int)>(a.Length + b.Length);
        for (var i = 0; i < head; i++)
        {
            script.Add((Op.Equal, i, i));
        }

        var middleA = a.Length - head - tail;
        var middleB = b.Length - head - tail;
        var middle = Myers(a.AsSpan(head, middleA).ToArray(), b.AsSpan(head, middleB).ToArray());
        if (middle is null)
        {
            for (var i = 0; i < middleA; i++)
            {
                script.Add((Op.Delete, head + i, -1));
            }

            for (var j = 0; j < middleB; j++)
            {
                script.Add((Op.Insert, -1, head + j));
            }
        }
        else
        {
            script.AddRange(middle.Select(s => (s.Op, s.A + head, s.B + head)));
        }

        for (var i = 0; i < tail; i++)
        {
            script.Add((Op.Equal, a.Length - tail + i, b.Length - tail + i));
        }

        return script;
    }

    private static List<(Op Op, int A, int B)>? Myers(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length, max = n + m;
        if (max == 0)
        {
            return [];
        }

        var limit = Math.Min(max, MaxEditDistance);
        var v = new int[(2 * limit) + 3];
        var offset = limit + 1;
        var trace = new List<int[]>();
        for (var d = 0; d <= limit; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return Backtrack(trace, offset, n, m, a.Length > 0 || b.Length > 0 ? d : 0);
                }
            }
        }

        return null;
    }

    private static List<(Op Op, int A, int B)> Backtrack(List<int[]> trace, int offset, int n, int m, int distance)
    {
        var script = new List<(Op, int, int)>();
        int x = n, y = m;
        for (var d = distance; d >= 0; d--)
        {
            var v = trace[d];
            var k = x - y;
            var previousK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
            var previousX = d == 0 ? 0 : v[offset + previousK];
            var previousY = d == 0 ? 0 : previousX - previousK;
            while (x > previousX && y > previousY)
            {
                x--;
                y--;
                script.Add((Op.Equal, x, y));
            }

            if (d > 0)
            {
                if (x == previousX)
                {
                    script.Add((Op.Insert, -1, previousY));
                }
                else
                {
                    script.Add((Op.Delete, previousX, -1));
                }
            }

            x = previousX;
            y = previousY;
        }

        script.Reverse();
        return script;
    }
}
