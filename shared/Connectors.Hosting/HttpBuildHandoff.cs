using System.Runtime.InteropServices;

namespace Connectors.Hosting;

/// <summary>
/// The tool package's stdio-only executable carries the full build beside it (eng/pack.sh). Asked for HTTP, it replaces
/// itself with that build (execv: same process, arguments and environment), so an IDE's many stdio servers stay small and
/// `--transport http` still works from the installed tool.
/// </summary>
internal static class HttpBuildHandoff
{
    /// <summary>The full build's file name beside this executable: <c>Connectors.X</c> → <c>Connectors.X-http</c>.</summary>
    public const string Suffix = "-http";

    /// <summary>Returns only if there is no full build to hand over to (or it could not be started).</summary>
    public static void ExecFullBuildIfPresent()
    {
        if (OperatingSystem.IsWindows() || Environment.ProcessPath is not { } self || !File.Exists(self + Suffix))
        {
            return;
        }

        var target = self + Suffix;
        // NuGet does not keep file modes: `dotnet tool install` marks only the command executable.
        // If that fails (someone else's install), execv fails too and the caller says what to run instead.
        try
        {
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(target);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(target, mode | execute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        // The original argv (not RunAsync's args, which a server may have rewritten); argv[0] names the new image.
        string[] argv = [target, .. Environment.GetCommandLineArgs().Skip(1)];
        var vector = Marshal.AllocHGlobal(nint.Size * (argv.Length + 1));
        for (var i = 0; i < argv.Length; i++)
        {
            Marshal.WriteIntPtr(vector, i * nint.Size, Marshal.StringToCoTaskMemUTF8(argv[i]));
        }

        Marshal.WriteIntPtr(vector, argv.Length * nint.Size, 0);
        // execv keeps the process's own environment block (what the user set), which .NET never rewrites.
        _ = execv(Marshal.ReadIntPtr(vector), vector); // returns only on failure: the caller reports it
        for (var i = 0; i < argv.Length; i++)
        {
            Marshal.FreeCoTaskMem(Marshal.ReadIntPtr(vector, i * nint.Size));
        }

        Marshal.FreeHGlobal(vector);
    }

    // Pointers only: blittable, so no marshalling stub under Native AOT and no unsafe code.
    [DllImport("libc")]
    private static extern int execv(nint path, nint argv);
}
