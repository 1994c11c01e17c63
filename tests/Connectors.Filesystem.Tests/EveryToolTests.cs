using static Connectors.Testing.ToolSweep;

namespace Connectors.Filesystem.Tests;

/// <summary>
/// Every tool of the filesystem server called over stdio, over HTTP with an API key and over HTTP with a JWT, the path guard's refusals, and
/// doctor/healthcheck: what eng/test.sh runs again against the published Native AOT server.
/// </summary>
[Trait("Category", "ServerProcess")]
public sealed class EveryToolTests : IDisposable
{
    private const string Project = "Connectors.Filesystem";
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string[] Args => ["--roots", _tree.Root, "--allow-write"];

    private static Dictionary<string, object?> A(params (string Name, object? Value)[] arguments) => arguments.ToDictionary(a => a.Name, a => a.Value);

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Every_tool_answers(string transport)
    {
        WriteFiles();
        await using var server = await ConnectedServer.StartAsync(transport, Project, Args);

        await CallEveryToolAsync(server.Client, EveryCall());

        Assert.Equal("one\n2\n", await File.ReadAllTextAsync(Path.Combine(_tree.Root, "made", "moved.txt")));
        var media = await server.Client.CallToolAsync("read_media_file", A(("path", "pixel.png")));
        Assert.Equal("image/png", Assert.IsType<ImageContentBlock>(Assert.Single(media.Content)).MimeType);
    }

    private void WriteFiles()
    {
        _tree.Write("notes/today.txt", "alpha\nbeta needle\ngamma\n");
        _tree.Write("notes/other.md", "# title\n");
        File.WriteAllBytes(Path.Combine(_tree.Root, "pixel.png"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
    }

    /// <summary>Each tool once, with what its answer must contain (the write tools in an order that works).</summary>
    private List<Call> EveryCall() =>
    [
        new("list_allowed_directories", A(), _tree.Root),
        new("list_directory", A(("path", "notes")), "[FILE] today.txt"),
        new("list_directory_with_sizes", A(("path", "notes"), ("sortBy", "size")), "today.txt"),
        new("directory_tree", A(("path", "."), ("max_depth", 3)), "today.txt"),
        new("read_text_file", A(("path", "notes/today.txt"), ("head", 1)), "alpha"),
        new("read_file", A(("path", "notes/today.txt"), ("tail", 1)), "gamma"),
        new("read_multiple_files", A(("paths", new[] { "notes/today.txt", "notes/other.md" })), "# title"),
        new("read_media_file", A(("path", "pixel.png")), ""),
        new("get_file_info", A(("path", "notes/today.txt")), "size"),
        new("search_files", A(("path", "."), ("pattern", "**/*.md")), "other.md"),
        new("search_content", A(("path", "."), ("pattern", "needle"), ("context_lines", 1)), "beta needle"),
        new("create_directory", A(("path", "made/deeper")), "made"),
        new("write_file", A(("path", "made/deeper/new.txt"), ("content", "one\ntwo\n")), "new.txt"),
        new("edit_file", A(("path", "made/deeper/new.txt"), ("edits", new[] { new Dictionary<string, string> { ["oldText"] = "two", ["newText"] = "2" } })), "+2"),
        new("move_file", A(("source", "made/deeper/new.txt"), ("destination", "made/moved.txt")), "moved.txt"),
    ];

    [Fact]
    public async Task The_typescript_client_validates_every_typed_answer_against_its_output_schema()
    {
        WriteFiles();
        var typed = await CallEveryToolWithTypeScriptClientAsync(Project, Args, null, EveryCall(),
        [
            new("get_file_info", A(("path", "missing.txt")), "not_found"),
            new("list_directory", A(("path", "../elsewhere")), "permission_denied"),
        ]);

        Assert.Equal(
            ["directory_tree", "get_file_info", "list_allowed_directories", "list_directory", "list_directory_with_sizes", "search_content", "search_files"],
            typed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task The_path_guard_refuses_escapes_and_denied_files(string transport)
    {
        _tree.Write(".env", "KEY=secret\n");
        _tree.WriteOutside("victim.txt", "outside\n");
        _tree.Link("outside-link", Path.Combine(_tree.Outside, "victim.txt"));
        await using var server = await ConnectedServer.StartAsync(transport, Project, Args);

        await RefusedAsync(server.Client, "read_text_file", A(("path", "../root_evil/victim.txt")), "permission_denied");
        await RefusedAsync(server.Client, "read_text_file", A(("path", Path.Combine(_tree.Outside, "victim.txt"))), "permission_denied");
        await RefusedAsync(server.Client, "read_text_file", A(("path", "outside-link")), "permission_denied");
        await RefusedAsync(server.Client, "read_text_file", A(("path", ".env")), "permission_denied");
        await RefusedAsync(server.Client, "write_file", A(("path", "../root_evil/victim.txt"), ("content", "pwned")), "permission_denied");
        await RefusedAsync(server.Client, "read_text_file", A(("path", "a\0b")), "invalid_argument");
        await RefusedAsync(server.Client, "search_content", A(("path", "."), ("pattern", "(unclosed"), ("regex", true)), "invalid_argument");
        await RefusedAsync(server.Client, "read_text_file", A(("path", "missing.txt")), "not_found");
        Assert.Equal("outside\n", await File.ReadAllTextAsync(Path.Combine(_tree.Outside, "victim.txt")));
    }

    [Fact]
    public async Task A_read_only_key_cannot_call_a_write_tool_over_http()
    {
        var keys = Path.Combine(_tree.Base, "keys");
        await File.WriteAllTextAsync(keys, "reader:ck_reader_0123456789abcdef0123456789:filesystem:read\n");
        await using var server = await ServerProcess.StartHttpAsync(Project, ["--auth", "api-key", .. Args], new Dictionary<string, string> { ["CONNECTORS_API_KEYS_FILE"] = keys });
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer ck_reader_0123456789abcdef0123456789" },
        }));

        var allowed = await client.CallToolAsync("list_allowed_directories", A());
        Assert.True(allowed.IsError != true && allowed.Text().Contains(_tree.Root, StringComparison.Ordinal), allowed.Text());
        await RefusedAsync(client, "write_file", A(("path", "x.txt"), ("content", "x")), "permission_denied");
        Assert.False(File.Exists(Path.Combine(_tree.Root, "x.txt")));
    }

    [Fact]
    public async Task Doctor_passes_and_healthcheck_probes_the_running_server()
    {
        var (doctorExit, doctor, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", .. Args]);
        Assert.True(doctorExit == 0, doctor);
        Assert.Contains("ok   roots: 1 root(s) reachable", doctor, StringComparison.Ordinal);
        Assert.Contains("doctor: ready to serve", doctor, StringComparison.Ordinal);

        var (badExit, bad, _) = await ServerProcess.RunToExitAsync(Project, ["doctor", "--roots", Path.Combine(_tree.Base, "missing")]);
        Assert.True(badExit != 0, bad);

        string healthz;
        await using (var server = await ServerProcess.StartHttpAsync(Project, Args))
        {
            healthz = new Uri(server.BaseUrl, "/healthz").ToString();
            var (healthExit, _, healthErr) = await ServerProcess.RunToExitAsync(Project, ["healthcheck", "--url", healthz]);
            Assert.True(healthExit == 0, healthErr);
            using var http = new HttpClient();
            using var ready = await http.GetAsync(new Uri(server.BaseUrl, "/readyz"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var (downExit, _, _) = await ServerProcess.RunToExitAsync(Project, ["healthcheck", "--url", healthz]);
        Assert.Equal(1, downExit);
    }

    [Fact]
    public async Task The_current_flag_and_variables_configure_the_server_without_a_warning()
    {
        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(
            Project, ["doctor", "--roots", _tree.Root], new Dictionary<string, string> { ["CONNECTORS_FILESYSTEM_ALLOW_WRITE"] = "true" });
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("ok   roots: 1 root(s) reachable", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("deprecated", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_earlier_flag_and_variables_still_work_and_warn_with_the_current_spelling()
    {
        var config = Path.Combine(_tree.Base, "old.json");
        await File.WriteAllTextAsync(config, """{ "limits": { "maxEntries": 50 } }""");
        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(
            Project, ["doctor", "--root", _tree.Root, "--config", config], new Dictionary<string, string> { ["CONNECTORS_ALLOW_WRITE"] = "true" });
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("ok   roots: 1 root(s) reachable", stdout, StringComparison.Ordinal);
        TextAssert.ContainsAll(
            stderr,
            "connectors-filesystem: warning: --root is deprecated and will be removed; use --roots.",
            "env CONNECTORS_ALLOW_WRITE is deprecated and will be removed; use env CONNECTORS_FILESYSTEM_ALLOW_WRITE.",
            "config key limits.maxEntries is deprecated and will be removed; use config key filesystem.maxEntries.");
    }
}
