using System.IO.Compression;
using System.Xml.Linq;

namespace Connectors.Distribution.Tests;

/// <summary>
/// Every server packed as a .NET tool into a folder feed by eng/pack.sh, as it is published to NuGet, and installed from
/// it as a user would: the package users name, which installs the Native AOT build on linux-x64, and its framework-dependent
/// <c>any</c> package, which every other platform gets (installed here by its own name, the one way to get it on linux-x64).
/// </summary>
public sealed class PackagedServers : IAsyncLifetime
{
    /// <summary>A feed eng/pack.sh already filled (eng/test.sh packs right after it publishes); without it this fixture packs.</summary>
    public const string Variable = "CONNECTORS_PACKED_SERVERS";

    private readonly string _work = Directory.CreateTempSubdirectory("connectors-tools-").FullName;

    private readonly string? _given = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? given : null;

    public string Feed => _given ?? Path.Combine(_work, "feed");

    public string ToolPath => Path.Combine(_work, "tools");

    public string FrameworkDependentToolPath => Path.Combine(_work, "tools-any");

    /// <summary>The package users name: <c>Connectors.X.1.2.3.nupkg</c>, not <c>Connectors.X.linux-x64.…</c> or <c>.any.…</c>.</summary>
    public string Package(ShippedServer server) => Package(server.PackageId);

    public string Package(string id) => Directory.GetFiles(Feed, $"{id}.*.nupkg").Single(p => char.IsAsciiDigit(Path.GetFileName(p)[id.Length + 1]));

    public string Installed(ShippedServer server) => Path.Combine(ToolPath, server.Command);

    public string InstalledFrameworkDependent(ShippedServer server) => Path.Combine(FrameworkDependentToolPath, server.Command);

    public async ValueTask InitializeAsync()
    {
        if (_given is null)
        {
            await Repository.RunAsync("bash", [Repository.PathOf("eng", "pack.sh"), Feed], timeout: TimeSpan.FromMinutes(30));
        }

        // A private package cache: an earlier install of the same version must not stand in for this build.
        var cache = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };
        foreach (var server in Servers.All)
        {
            var version = Path.GetFileNameWithoutExtension(Package(server))[(server.PackageId.Length + 1)..];
            await Repository.RunAsync("dotnet", ["tool", "install", "--tool-path", ToolPath, "--add-source", Feed, server.PackageId, "--version", version], cache);
            await Repository.RunAsync("dotnet", ["tool", "install", "--tool-path", FrameworkDependentToolPath, "--add-source", Feed, server.PackageId + ".any", "--version", version], cache);
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class PackagedServersCollection : ICollectionFixture<PackagedServers>
{
    public const string Name = "packaged servers";
}

[Collection(PackagedServersCollection.Name)]
public sealed class PackagedToolsTests(PackagedServers packages)
{
    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_installed_command_completes_an_MCP_handshake_and_a_tool_call_over_stdio(string key)
    {
        var server = Servers.Get(key);
        await using var client = await ServerProcess.ConnectStdioCommandAsync(packages.Installed(server), server.Args, server.Environment);

        Assert.Equal(server.Command, client.ServerInfo?.Name);
        Assert.NotEmpty(await client.ListToolsAsync());
        var result = await client.CallToolAsync(server.SmokeTool, new Dictionary<string, object?>());
        Assert.NotEqual(true, result.IsError);
        Assert.Contains(server.SmokeAnswer, result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public void On_linux_x64_the_installed_command_is_the_native_executable(string key)
    {
        Assert.SkipUnless(System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64", "the native package is built for linux-x64 only");
        var server = Servers.Get(key);

        var target = new FileInfo(packages.Installed(server)).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? packages.Installed(server);

        Assert.Contains($"{server.PackageId.ToLowerInvariant()}.linux-x64", target, StringComparison.Ordinal);
        Assert.True(Elf.Read(target).IsExecutable);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, "*.dll"));
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public void The_package_points_linux_x64_at_the_native_build_and_every_other_platform_at_the_framework_dependent_one(string key)
    {
        var server = Servers.Get(key);
        using var package = ZipFile.OpenRead(packages.Package(server));
        var settings = XDocument.Load(package.Entries.Single(e => e.Name == "DotnetToolSettings.xml").Open());

        var runtimes = settings.Descendants("RuntimeIdentifierPackage").ToDictionary(e => (string)e.Attribute("RuntimeIdentifier")!, e => (string)e.Attribute("Id")!);
        Assert.Equal(new Dictionary<string, string> { ["linux-x64"] = server.PackageId + ".linux-x64", ["any"] = server.PackageId + ".any" }, runtimes);
        Assert.DoesNotContain(package.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal));

        using var fallback = ZipFile.OpenRead(packages.Package(server.PackageId + ".any"));
        Assert.Contains(fallback.Entries, e => e.FullName == $"tools/net10.0/any/{server.Project}.dll");
        Assert.Contains(fallback.Entries, e => e.FullName == $"tools/net10.0/any/{server.Project}.runtimeconfig.json");
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_framework_dependent_build_other_platforms_get_completes_a_handshake_and_a_tool_call(string key)
    {
        var server = Servers.Get(key);
        await using var client = await ServerProcess.ConnectStdioCommandAsync(packages.InstalledFrameworkDependent(server), server.Args, server.Environment);

        var result = await client.CallToolAsync(server.SmokeTool, new Dictionary<string, object?>());

        Assert.NotEqual(true, result.IsError);
        Assert.Contains(server.SmokeAnswer, result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public void Each_package_is_a_dotnet_tool_and_an_MCP_server_package_carrying_its_registry_entry(string key)
    {
        var server = Servers.Get(key);
        using var package = ZipFile.OpenRead(packages.Package(server));
        var nuspec = XDocument.Load(package.GetEntry(server.PackageId + ".nuspec")!.Open());
        var types = nuspec.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => (string?)e.Attribute("name")).ToList();
        Assert.Contains("DotnetTool", types);
        Assert.Contains("McpServer", types);
        var version = nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value;

        using var reader = new StreamReader(package.GetEntry(".mcp/server.json")!.Open());
        var entry = JsonNode.Parse(reader.ReadToEnd())!;
        Assert.Equal(version, (string?)entry["version"]);
        var nuget = Assert.Single(entry["packages"]!.AsArray())!;
        Assert.Equal("nuget", (string?)nuget["registryType"]);
        Assert.Equal(server.PackageId, (string?)nuget["identifier"]);
        Assert.Equal(version, (string?)nuget["version"]);
        Assert.Equal("stdio", (string?)nuget["transport"]!["type"]);
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task The_registry_entry_names_only_options_and_variables_the_server_has_with_the_same_secrecy(string key)
    {
        var server = Servers.Get(key);
        var help = await Repository.RunAsync(packages.Installed(server), ["--help"]);
        var entry = JsonNode.Parse(await File.ReadAllTextAsync(Repository.PathOf("servers", server.Project, ".mcp", "server.json")))!;
        var nuget = entry["packages"]![0]!;

        foreach (var argument in nuget["packageArguments"]?.AsArray() ?? [])
        {
            Assert.Contains($"  {(string?)argument!["name"]} ", help, StringComparison.Ordinal);
        }

        foreach (var variable in nuget["environmentVariables"]?.AsArray() ?? [])
        {
            var name = (string)variable!["name"]!;
            var secretInHelp = help.Contains($"env: {name} or {name}_FILE; secret", StringComparison.Ordinal);
            Assert.True(secretInHelp || help.Contains($"env: {name}]", StringComparison.Ordinal), $"{name} is not an option of {server.Command}");
            Assert.Equal(secretInHelp, (bool?)variable["isSecret"] ?? false);
        }
    }

    [Theory]
    [MemberData(nameof(Servers.Keys), MemberType = typeof(Servers))]
    public async Task Print_config_output_parses_as_JSON_and_starts_the_installed_command(string key)
    {
        var server = Servers.Get(key);
        var stdout = await Repository.RunAsync(packages.Installed(server), ["print-config", "vscode", "--read-only"]);

        var entry = JsonNode.Parse(stdout)!["servers"]![server.Command]!;
        Assert.Equal(server.Command, (string?)entry["command"]);
        Assert.True(File.Exists(Path.Combine(packages.ToolPath, (string)entry["command"]!)));
        Assert.Equal("--read-only", (string?)entry["args"]![0]);
    }

    [Fact]
    public async Task Doctor_of_the_installed_filesystem_server_passes_on_a_real_root_and_fails_on_a_missing_one()
    {
        var installed = packages.Installed(Servers.Get("filesystem"));

        var good = await Repository.TryRunAsync(installed, ["doctor", "--roots", Path.GetTempPath()]);
        var bad = await Repository.TryRunAsync(installed, ["doctor", "--roots", "/no/such/directory"]);

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("ok   roots:", good.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("FAIL configuration: --roots", bad.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_of_the_installed_database_server_fails_when_the_database_cannot_be_reached()
    {
        var server = Servers.Get("database");

        var (exitCode, stdout, stderr) = await Repository.TryRunAsync(packages.Installed(server), ["doctor"], server.Environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAIL ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Username=reader", stdout + stderr, StringComparison.Ordinal);
    }
}
