namespace Connectors.Filesystem.Tests;

/// <summary>A throwaway directory tree: a root the server may use, and a sibling it may not.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Base = Directory.CreateTempSubdirectory("connectors-fs-").FullName;
        Root = Directory.CreateDirectory(Path.Combine(Base, "root")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(Base, "root_evil")).FullName;
    }

    public string Base { get; }

    public string Root { get; }

    /// <summary>Shares the root's name as a prefix: must not count as inside it.</summary>
    public string Outside { get; }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Empty files at these paths under the root, for tests where only names and shape count.</summary>
    public void Touch(params string[] relatives)
    {
        foreach (var relative in relatives)
        {
            Write(relative, "");
        }
    }

    /// <summary>Creates a symbolic link at <paramref name="relative"/> (under the root) whose target is written as given.</summary>
    public string Link(string relative, string target)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    public string WriteOutside(string relative, string content)
    {
        var path = Path.Combine(Outside, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Fifo(string relative)
    {
        var path = Path.Combine(Root, relative);
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path])!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    public void Dispose() => Directory.Delete(Base, recursive: true);
}
