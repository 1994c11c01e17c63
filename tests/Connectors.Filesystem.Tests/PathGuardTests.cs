namespace Connectors.Filesystem.Tests;

/// <summary>
/// The guard on its own, in both of its resolution modes: the kernel's openat2(RESOLVE_BENEATH) and the portable
/// one-name-at-a-time openat(O_NOFOLLOW) walk. Every case must come out the same in both.
/// </summary>
public sealed class PathGuardTests : IDisposable
{
    private const string Secret = "TOP-SECRET-OUTSIDE";
    private readonly TempTree _tree = new();

    public PathGuardTests()
    {
        _tree.WriteOutside("secret.txt", Secret);
        _tree.Write("inside.txt", "inside");
        _tree.Write("dir/nested.txt", "nested");
    }

    public void Dispose() => _tree.Dispose();

    public static TheoryData<bool> Modes => new() { true, false };

    private PathGuard Guard(bool openat2, params string[] extraRoots) =>
        PathGuard.Create([_tree.Root, .. extraRoots], "test", FilesystemOptions.DefaultDenyGlobs, openat2);

    private static string Read(PathGuard guard, string path)
    {
        using var file = guard.OpenFile(guard.Resolve(path));
        var bytes = new byte[file.Status.Size];
        RandomAccess.Read(file.Handle, bytes, 0);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static string ErrorOf(PathGuard guard, string path)
    {
        var error = Assert.Throws<ConnectorException>(() => Read(guard, path));
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        return error.Code;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Dot_dot_in_every_position_cannot_leave_the_root(bool openat2)
    {
        using var guard = Guard(openat2);
        foreach (var path in new[]
        {
            "../root_evil/secret.txt", "dir/../../root_evil/secret.txt", "dir/../dir/../../root_evil/secret.txt",
            $"{_tree.Root}/../root_evil/secret.txt", $"{_tree.Root}/dir/../../root_evil/secret.txt", "..", "../", "./../root_evil/secret.txt",
        })
        {
            Assert.Equal(ErrorCodes.PermissionDenied, ErrorOf(guard, path));
        }

        Assert.Equal("inside", Read(guard, "dir/../inside.txt"));
        Assert.Equal("nested", Read(guard, "./dir/./nested.txt"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Absolute_paths_outside_and_lookalike_prefixes_are_refused(bool openat2)
    {
        using var guard = Guard(openat2);
        foreach (var path in new[]
        {
            "/etc/passwd", $"{_tree.Outside}/secret.txt", "//etc/passwd", $"/proc/self/root{_tree.Outside}/secret.txt",
            $"/proc/self/root{_tree.Root}/inside.txt", $"/proc/self/cwd/x", "/",
        })
        {
            Assert.Equal(ErrorCodes.PermissionDenied, ErrorOf(guard, path));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Encoded_fullwidth_and_backslash_forms_stay_literal_names(bool openat2)
    {
        using var guard = Guard(openat2);
        foreach (var path in new[]
        {
            "%2e%2e/root_evil/secret.txt", "%2E%2E%2Froot_evil%2Fsecret.txt", "..%2f..%2froot_evil/secret.txt",
            "\uFF0E\uFF0E/root_evil/secret.txt", "..\\root_evil\\secret.txt", "~nobody/secret.txt", "~root",
        })
        {
            Assert.Equal(ErrorCodes.NotFound, ErrorOf(guard, path));
        }

        // And such a name is simply a file when it exists.
        _tree.Write("%2e%2e", "literal percent name");
        Assert.Equal("literal percent name", Read(guard, "%2e%2e"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Nul_bytes_uris_and_empty_paths_are_invalid_arguments(bool openat2)
    {
        using var guard = Guard(openat2);
        foreach (var path in new[] { "inside.txt\0../../etc/passwd", "file:///etc/passwd", $"file://{_tree.Root}/inside.txt", "", "   ", new string('a', 5000) })
        {
            Assert.Equal(ErrorCodes.InvalidArgument, ErrorOf(guard, path));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Links_that_stay_inside_work_and_links_that_leave_are_refused(bool openat2)
    {
        _tree.Link("abs-in.txt", Path.Combine(_tree.Root, "inside.txt"));
        _tree.Link("rel-in.txt", "dir/nested.txt");
        _tree.Link("dir/up-in.txt", "../inside.txt");
        _tree.Link("chain1", "chain2");
        _tree.Link("chain2", "dir/../abs-in.txt");
        _tree.Link("dirlink", "dir");
        _tree.Link("abs-out.txt", Path.Combine(_tree.Outside, "secret.txt"));
        _tree.Link("rel-out.txt", "../root_evil/secret.txt");
        _tree.Link("chain-out", "rel-out.txt");
        _tree.Link("dir-out", _tree.Outside);
        _tree.Link("dir/deep-out", "../../root_evil");
        using var guard = Guard(openat2);

        Assert.Equal("inside", Read(guard, "abs-in.txt"));
        Assert.Equal("nested", Read(guard, "rel-in.txt"));
        Assert.Equal("inside", Read(guard, "dir/up-in.txt"));
        Assert.Equal("inside", Read(guard, "chain1"));
        Assert.Equal("nested", Read(guard, "dirlink/nested.txt"));
        foreach (var path in new[] { "abs-out.txt", "rel-out.txt", "chain-out", "dir-out/secret.txt", "dir/deep-out/secret.txt" })
        {
            Assert.Equal(ErrorCodes.PermissionDenied, ErrorOf(guard, path));
        }

        Assert.Equal(openat2, guard.UsesOpenat2); // this kernel (>= 5.6) answered openat2 itself
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Loops_and_dangling_links_get_clear_errors(bool openat2)
    {
        _tree.Link("loop-a", "loop-b");
        _tree.Link("loop-b", "loop-a");
        _tree.Link("self", "self");
        _tree.Link("dangling", "nowhere.txt");
        using var guard = Guard(openat2);

        Assert.Equal(ErrorCodes.InvalidArgument, ErrorOf(guard, "loop-a"));
        Assert.Equal(ErrorCodes.InvalidArgument, ErrorOf(guard, "self/x"));
        Assert.Equal(ErrorCodes.NotFound, ErrorOf(guard, "dangling"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_link_from_one_root_into_another_root_is_followed(bool openat2)
    {
        var second = Directory.CreateDirectory(Path.Combine(_tree.Base, "second")).FullName;
        File.WriteAllText(Path.Combine(second, "other.txt"), "second root");
        _tree.Link("to-second", second);
        using var guard = Guard(openat2, second);

        Assert.Equal("second root", Read(guard, "to-second/other.txt"));
        Assert.Equal("second root", Read(guard, Path.Combine(second, "other.txt")));
        using var file = guard.OpenFile(guard.Resolve("to-second/other.txt"));
        Assert.Equal(Path.Combine(second, "other.txt"), file.Real.FullPath);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Deny_globs_win_over_roots_including_through_links(bool openat2)
    {
        _tree.Write(".env", "API_KEY=1");
        _tree.Write("config/.env.local", "API_KEY=2");
        _tree.Write("certs/server.pem", "PEM");
        _tree.Write("repo/.git/config", "[remote]");
        _tree.Write("notes.txt", "fine");
        _tree.Link("innocent.txt", ".env");
        using var guard = Guard(openat2);

        foreach (var path in new[] { ".env", "config/.env.local", "certs/server.pem", "repo/.git/config", "innocent.txt" })
        {
            Assert.Equal(ErrorCodes.PermissionDenied, ErrorOf(guard, path));
        }

        Assert.Equal("fine", Read(guard, "notes.txt"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Fifos_are_refused_at_once_instead_of_blocking(bool openat2)
    {
        _tree.Fifo("pipe");
        using var guard = Guard(openat2);
        var code = await Task.Run(() => ErrorOf(guard, "pipe")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorCodes.InvalidArgument, code);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Files_deep_in_a_tree_are_reachable(bool openat2)
    {
        var deep = string.Join('/', Enumerable.Repeat("d", 400));
        _tree.Write(deep + "/leaf.txt", "deep");
        using var guard = Guard(openat2);
        Assert.Equal("deep", Read(guard, deep + "/leaf.txt"));
    }

    [Fact]
    public void A_root_given_through_a_symlinked_path_is_canonical_and_both_spellings_work()
    {
        var alias = Path.Combine(_tree.Base, "alias");
        Directory.CreateSymbolicLink(alias, _tree.Root);
        using var guard = PathGuard.Create([alias], "test");

        Assert.Equal([_tree.Root], guard.Roots);
        Assert.Equal("inside", Read(guard, Path.Combine(alias, "inside.txt")));
        Assert.Equal("inside", Read(guard, Path.Combine(_tree.Root, "inside.txt")));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_directory_swapped_for_a_link_while_reading_never_leaks_a_byte(bool openat2)
    {
        // One thread keeps replacing root/swap (a real directory) with a link to the outside and back;
        // another keeps reading root/swap/secret.txt. Every read must be the inside file or a refusal.
        _tree.WriteOutside("secret.txt", Secret);
        var swap = Path.Combine(_tree.Root, "swap");
        var real = Path.Combine(_tree.Root, "swap-real");
        var link = Path.Combine(_tree.Root, "swap-link");
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "secret.txt"), "harmless");
        Directory.CreateSymbolicLink(link, _tree.Outside);
        Directory.Move(real, swap);
        using var guard = Guard(openat2);

        using var stop = new CancellationTokenSource();
        var swapping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var swapper = Task.Run(() =>
        {
            var swaps = 0;
            while (!stop.IsCancellationRequested)
            {
                // rename(2) swaps atomically: swap is always either the real directory or the link.
                Directory.Move(swap, real);
                Directory.Move(link, swap);
                Directory.Move(swap, link);
                Directory.Move(real, swap);
                swaps++;
                swapping.TrySetResult();
            }

            return swaps;
        });

        // On a loaded machine the swapper may start late: the reads begin once it is running, or they race nothing.
        await swapping.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var (inside, refused) = (0, 0);
        for (var i = 0; i < 20_000; i++)
        {
            try
            {
                var text = Read(guard, "swap/secret.txt");
                Assert.Equal("harmless", text);
                inside++;
            }
            catch (ConnectorException e)
            {
                Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        await stop.CancelAsync();
        var swaps = await swapper.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(swaps > 0 && inside > 0, $"the race did not run: {swaps} swaps, {inside} reads, {refused} refusals");
    }
}
