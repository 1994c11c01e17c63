using Connectors.Hosting.Logging;
using Connectors.Hosting.Security;

namespace Connectors.Hosting.Tests.Security;

public sealed class AuditLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("connectors-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, JsonElement> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void The_audit_file_rotates_by_size_and_keeps_five_old_files()
    {
        var path = Path.Combine(_dir, "audit", "calls.jsonl");
        var settings = ConnectorSettings.From(new Dictionary<ConnectorOption, object?> { [SecurityOptions.AuditLog] = path, [SecurityOptions.AuditMaxFileBytes] = 4096 });
        using (var audit = new AuditLog(settings, "connectors-test", new SecretRedactor()))
        {
            var caller = new CallerIdentity("alice", "api-key", new HashSet<string>());
            for (var i = 0; i < 300; i++)
            {
                audit.Record(caller, "echo", Arguments($$"""{"text":"call {{i}}"}"""), "ok", TimeSpan.FromMilliseconds(1.5), $"{i:x16}");
            }
        }

        var files = Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["calls.jsonl", "calls.jsonl.1", "calls.jsonl.2", "calls.jsonl.3", "calls.jsonl.4", "calls.jsonl.5"], files);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!))
        {
            Assert.InRange(new FileInfo(file).Length, 1, 4096);
            Assert.All(File.ReadAllLines(file), line => Assert.Equal("tool_call", JsonDocument.Parse(line).RootElement.GetProperty("audit").GetString()));
        }

        Assert.EndsWith("\"correlationId\":\"000000000000012b\"}", File.ReadAllLines(path)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_arguments_give_equal_digests_and_sensitive_values_do_not_change_the_digest()
    {
        var output = Path.Combine(_dir, "digest.jsonl");
        var settings = ConnectorSettings.From(new Dictionary<ConnectorOption, object?> { [SecurityOptions.AuditLog] = output });
        var redactor = new SecretRedactor();
        redactor.Add("configured-secret-value");
        using (var audit = new AuditLog(settings, "connectors-test", redactor))
        {
            var caller = CallerIdentity.Unauthenticated;
            audit.Record(caller, "sign_in", Arguments("""{"user":"bob","password":"one"}"""), "ok", TimeSpan.Zero, "1");
            audit.Record(caller, "sign_in", Arguments("""{"user":"bob","password":"two"}"""), "ok", TimeSpan.Zero, "2");
            audit.Record(caller, "sign_in", Arguments("""{"user":"eve","password":"one"}"""), "ok", TimeSpan.Zero, "3");
            audit.Record(caller, "configured-secret-value", Arguments("""{"configured-secret-value":"x"}"""), "ok", TimeSpan.Zero, "4");
        }

        var lines = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Digest(int i) => lines[i].GetProperty("arguments").GetProperty("sha256").GetString()!;
        Assert.Equal(Digest(0), Digest(1));
        Assert.NotEqual(Digest(0), Digest(2));
        Assert.DoesNotContain("configured-secret-value", File.ReadAllText(output), StringComparison.Ordinal);
        Assert.DoesNotContain("\"one\"", File.ReadAllText(output), StringComparison.Ordinal);
    }
}
