using Connectors.Filesystem;

namespace Connectors.Micro;

/// <summary>
/// The filesystem guard on a path five directories below a root: placing it under the root (lexical, no disk access),
/// and placing plus opening it relative to the root handle (openat2, or the portable walk).
/// </summary>
[MemoryDiagnoser]
public class PathGuardBenchmarks : IDisposable
{
    private const string Nested = "src/app/modules/billing/invoices/render.cs";

    private string _root = "";
    private PathGuard? _guard;
    private PathGuard? _portableGuard;

    [GlobalSetup]
    public void CreateTree()
    {
        _root = Directory.CreateTempSubdirectory("connectors-micro-").FullName;
        var file = Path.Combine(_root, Nested);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "class Render {}\n");
        _guard = PathGuard.Create([_root], "benchmark");
        _portableGuard = PathGuard.Create([_root], "benchmark", useOpenat2: false);
    }

    [Benchmark]
    public GuardedPath Resolve_relative() => _guard!.Resolve(Nested);

    [Benchmark]
    public GuardedPath Resolve_absolute() => _guard!.Resolve(Path.Combine(_root, Nested));

    [Benchmark]
    public long Resolve_and_open_file_openat2() => SizeOf(_guard!);

    [Benchmark]
    public long Resolve_and_open_file_portable_walk() => SizeOf(_portableGuard!);

    private static long SizeOf(PathGuard guard)
    {
        using var opened = guard.OpenFile(guard.Resolve(Nested));
        return opened.Status.Size;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _guard?.Dispose();
        _portableGuard?.Dispose();
        _guard = _portableGuard = null;
        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
