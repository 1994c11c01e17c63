using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Connectors.Database.SqlServer;

/// <summary>
/// Where ScriptDom may run. It recurses once per nesting level, a deep but legal text (100,000 characters of "~~~~1")
/// needs megabytes of stack, and a stack overflow ends the process. So a text runs on the calling thread only when an
/// upper bound of the stack it can need, read off the text in one pass, fits in what that thread's stack has left after a
/// reserve; any other text runs on a new thread with a large reserved stack, as every text did before (that thread's
/// start cost more than parsing an ordinary query; bench/results/micro/TSqlGuardBenchmarks.md).
/// </summary>
internal static unsafe partial class ParserStack
{
    /// <summary>Reserved, not committed, until used; enough for the deepest text the length and parenthesis caps let through.</summary>
    public const int LargeStackBytes = 128 * 1024 * 1024;

    // The bound's weights, from ScriptDom 180's stack use (TSql180Parser; parse and visit) nesting the heaviest constructs
    // 50 to 1,600 deep. Unoptimized JIT frames (DOTNET_TC_CallCounting=0): CASE … END 304 bytes a token (2.1 KB a level),
    // method chains 160, "~" and "-" 192, NOT 128; 3.9 KB per parenthesis level (nested scalar subqueries; function calls
    // 2.4, EXISTS 2.7, plain 1.8). Frames are larger in an ordinary tiered-JIT run: one full test run measured CASE … END
    // at 3.4 KB a level (485 bytes a token), simple CASE at 517 a token and "-" at 368, so the token weight is about four
    // times the largest of those (tests/…/TSqlParserStackTests checks a 3.5 margin in whatever tier the frames are in).
    internal const int BytesPerToken = 2048;
    internal const int BytesPerParenthesisLevel = 16 * 1024;

    /// <summary>Left untouched by the bound: what ScriptDom uses for a text of no depth, exception dispatch, the GC and the JIT.</summary>
    internal const int ReserveBytes = 256 * 1024;

    /// <summary>The lowest address of the calling thread's stack (above its guard page); 0 until read, nothing when unknown.</summary>
    [ThreadStatic]
    private static nuint t_stackLimit;

    [ThreadStatic]
    private static bool t_stackLimitRead;

    /// <summary>Runs <paramref name="parse"/> on the calling thread when the text's bound fits its stack, else on a large-stack thread.</summary>
    public static T Run<T>(string sql, Func<string, T> parse) => FitsOnThisThread(sql) ? parse(sql) : RunOnLargeStack(sql, parse);

    /// <summary>Whether the text's worst case fits, with the reserve, in what is left of the calling thread's stack.</summary>
    internal static bool FitsOnThisThread(string sql) => BoundBytes(sql) + ReserveBytes <= RemainingBytes();

    /// <summary>
    /// An upper bound of the stack ScriptDom needs to parse and visit the text: every recursion of its parser consumes a
    /// token, so the tokens bound the depth, and parentheses, which re-enter the whole grammar, weigh more by nesting level.
    /// </summary>
    internal static long BoundBytes(string sql)
    {
        var (tokens, deepest) = CountTokens(sql);
        return (tokens * BytesPerToken) + ((long)deepest * BytesPerParenthesisLevel);
    }

    /// <summary>
    /// At least as many tokens as ScriptDom reads (comments and strings are counted word by word, punctuation one by one,
    /// a number and the word glued to it apart), and the deepest parenthesis nesting, parentheses in strings included.
    /// </summary>
    internal static (long Tokens, int DeepestParenthesis) CountTokens(string sql)
    {
        long tokens = 0;
        int depth = 0, deepest = 0;
        var run = TokenRun.None;
        foreach (var c in sql)
        {
            // T-SQL's regular identifiers (a letter, _, @ or # first) and runs of digits are one token each; a digit run
            // ends at a letter, so "1AND" counts as the two tokens ScriptDom reads there.
            if ((run == TokenRun.Word && (char.IsAsciiLetterOrDigit(c) || c is '_' or '@' or '#' or '$')) || (run == TokenRun.Digits && char.IsAsciiDigit(c)))
            {
                continue;
            }

            run = char.IsAsciiLetter(c) || c is '_' or '@' or '#' ? TokenRun.Word : char.IsAsciiDigit(c) ? TokenRun.Digits : TokenRun.None;
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                continue;
            }

            // Anything else, non-ASCII included (which ScriptDom may read as a space), is a token of its own.
            tokens++;
            if (c == '(')
            {
                deepest = Math.Max(deepest, ++depth);
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
        }

        return (tokens, deepest);
    }

    /// <summary>Bytes between here and the calling thread's stack limit; 0 where the limit cannot be read (then every text takes the large stack).</summary>
    internal static long RemainingBytes()
    {
        if (!t_stackLimitRead)
        {
            t_stackLimit = ReadStackLimit();
            t_stackLimitRead = true;
        }

        byte marker = 0;
        var here = (nuint)(&marker);
        return t_stackLimit == 0 || here <= t_stackLimit ? 0 : (long)(here - t_stackLimit);
    }

    private enum TokenRun
    {
        None,
        Word,
        Digits,
    }

    internal static T RunOnLargeStack<T>(string sql, Func<string, T> parse)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var parser = new Thread(
            () =>
            {
                try
                {
                    result = parse(sql);
                }
                catch (Exception ex)
                {
                    failure = ExceptionDispatchInfo.Capture(ex);
                }
            },
            LargeStackBytes)
        { Name = "tsql-guard", IsBackground = true };
        parser.Start();
        parser.Join();
        failure?.Throw();
        return result;
    }

    private static nuint ReadStackLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        // pthread_attr_t is 56 bytes on x86-64 and 64 on arm64 (glibc and musl); room to spare.
        var attributes = stackalloc byte[256];
        try
        {
            if (GetAttributes(Self(), attributes) != 0)
            {
                return 0;
            }

            try
            {
                void* lowest;
                nuint size;
                return GetStack(attributes, &lowest, &size) == 0 ? (nuint)lowest : 0;
            }
            finally
            {
                _ = DestroyAttributes(attributes);
            }
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.34 keeps these in libpthread: no fast path there, still safe.
            return 0;
        }
    }

    private const string Libc = "libc";

    [LibraryImport(Libc, EntryPoint = "pthread_self")]
    private static partial nuint Self();

    [LibraryImport(Libc, EntryPoint = "pthread_getattr_np")]
    private static partial int GetAttributes(nuint thread, byte* attributes);

    [LibraryImport(Libc, EntryPoint = "pthread_attr_getstack")]
    private static partial int GetStack(byte* attributes, void** lowest, nuint* size);

    [LibraryImport(Libc, EntryPoint = "pthread_attr_destroy")]
    private static partial int DestroyAttributes(byte* attributes);
}
