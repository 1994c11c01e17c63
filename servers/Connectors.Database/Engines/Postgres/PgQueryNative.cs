using System.Runtime.InteropServices;
using Connectors.Hosting.Configuration;

namespace Connectors.Database.Postgres;

/// <summary>What libpg_query said about one piece of SQL: the parse tree as JSON, or PostgreSQL's error and its position.</summary>
/// <param name="TreeJson">The parse tree (libpg_query's JSON output), or null on a parse error.</param>
/// <param name="Error">PostgreSQL's error message, or null when the SQL parsed.</param>
/// <param name="ErrorPosition">1-based character position of the error, as PostgreSQL counts it (0 when unknown).</param>
internal readonly record struct PgParseOutcome(string? TreeJson, string? Error, int ErrorPosition);

/// <summary>
/// PostgreSQL's own parser, through libpg_query (Debian <c>libpg-query-dev</c>). The library is resolved at run time:
/// the path in <c>CONNECTORS_PG_QUERY_LIBRARY</c> when set, else the usual names; <see cref="EnsureAvailable"/> turns a
/// missing library into a start-up message.
/// </summary>
internal static partial class PgQueryNative
{
    private const string LibraryName = "pg_query";

    /// <summary>Environment variable naming the library file, for installations outside the loader's search path.</summary>
    public const string LibraryVariable = "CONNECTORS_PG_QUERY_LIBRARY";

    // Debian ships only the versioned name in the runtime package; the unversioned one comes with -dev.
    private static readonly string[] s_candidates =
        ["libpg_query.so", "libpg_query.so.1504.0", "libpg_query.so.1600.0", "libpg_query.so.1700.0", "libpg_query.dylib", "pg_query"];

    private static readonly Lazy<bool> s_available = new(RegisterResolver);

    /// <summary>Throws a configuration error (exit 2 with a clear message) when libpg_query cannot be loaded.</summary>
    public static void EnsureAvailable()
    {
        if (!s_available.Value)
        {
            throw new ConnectorConfigurationException(
                "The SQL guard needs PostgreSQL's parser library libpg_query, which was not found. " +
                $"Install it (Debian/Ubuntu: apt-get install libpg-query-dev), or name its file in {LibraryVariable}, and start the server again.");
        }
    }

    public static PgParseOutcome Parse(string sql)
    {
        EnsureAvailable();
        var result = NativeParse(sql);
        try
        {
            if (result.Error != IntPtr.Zero)
            {
                var error = Marshal.PtrToStructure<NativeError>(result.Error);
                return new PgParseOutcome(null, Marshal.PtrToStringUTF8(error.Message) ?? "syntax error", error.CursorPosition);
            }

            return new PgParseOutcome(Marshal.PtrToStringUTF8(result.ParseTree), null, 0);
        }
        finally
        {
            NativeFreeParseResult(result);
        }
    }

    private static bool RegisterResolver()
    {
        IntPtr handle = IntPtr.Zero;
        var configured = Environment.GetEnvironmentVariable(LibraryVariable);
        foreach (var candidate in string.IsNullOrEmpty(configured) ? s_candidates : [configured])
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                break;
            }
        }

        if (handle == IntPtr.Zero)
        {
            return false;
        }

        var loaded = handle;
        NativeLibrary.SetDllImportResolver(typeof(PgQueryNative).Assembly, (name, _, _) => name == LibraryName ? loaded : IntPtr.Zero);
        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NativeParseResult
    {
        public IntPtr ParseTree;
        public IntPtr StderrBuffer;
        public IntPtr Error;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NativeError
    {
        public IntPtr Message;
        public IntPtr FunctionName;
        public IntPtr FileName;
        public int LineNumber;
        public int CursorPosition;
        public IntPtr Context;
    }

    [LibraryImport(LibraryName, EntryPoint = "pg_query_parse", StringMarshalling = StringMarshalling.Utf8)]
    private static partial NativeParseResult NativeParse(string input);

    [LibraryImport(LibraryName, EntryPoint = "pg_query_free_parse_result")]
    private static partial void NativeFreeParseResult(NativeParseResult result);
}
