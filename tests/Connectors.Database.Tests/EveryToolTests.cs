using Connectors.Testing.Postgres;
using static Connectors.Testing.ToolSweep;

namespace Connectors.Database.Tests;

/// <summary>
/// Every tool of the database server called over stdio, over HTTP with an API key and over HTTP with a JWT on the throwaway cluster, the
/// reviewed answer text of every PostgreSQL type in every format, the whole attack corpus against the SQL guard, and
/// doctor/healthcheck: what eng/test.sh runs again against the published Native AOT server.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "ServerProcess")]
public sealed class EveryToolTests(DatabaseCluster cluster)
{
    private const string Project = "Connectors.Database";
    private static readonly string[] s_refusalCodes = ["invalid_argument", "permission_denied"];

    private Dictionary<string, string> Environment => new() { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = cluster.ConnectionString };

    private static Dictionary<string, object?> A(params (string Name, object? Value)[] arguments) => arguments.ToDictionary(a => a.Name, a => a.Value);

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task Every_tool_answers(string transport)
    {
        await using var server = await ConnectedServer.StartAsync(transport, Project, [], Environment);

        await CallEveryToolAsync(server.Client, EveryCall);

        // The answer text of every type in every format, byte for byte what the in-process snapshot test reviewed.
        var snapshot = await File.ReadAllTextAsync(Path.Combine(NodeTools.RepositoryRoot(), "tests", "Connectors.Database.Tests", "Snapshots", "query-formats.txt"));
        foreach (var format in new[] { "json", "csv", "markdown" })
        {
            var header = $"### {format}, whole\n";
            var start = snapshot.IndexOf(header, StringComparison.Ordinal) + header.Length;
            var expected = snapshot[start..snapshot.IndexOf("\n### ", start, StringComparison.Ordinal)];
            var result = await server.Client.CallToolAsync("query", A(("sql", ResultFormatSnapshotTests.WideQuery), ("format", format)));
            Assert.Equal(expected, result.Text());
        }
    }

    /// <summary>Each tool once, with what its answer must contain.</summary>
    private static List<Call> EveryCall =>
    [
        new("list_databases", A(), "default: postgres database 'connectors_test'"),
        new("list_schemas", A(), "sales (owner postgres, 1 tables/views): Sales data"),
        new("list_tables", A(("schema", "public")), "public.accounts (table, "),
        new("describe_table", A(("table", "accounts")), "Primary key:\n  accounts_pkey: PRIMARY KEY (id)\n"),
        new("query", A(("sql", "SELECT owner FROM accounts WHERE id = $1"), ("params", new List<object?> { 1 }), ("format", "csv")), "owner\n"),
        new("explain", A(("sql", "SELECT a.owner, count(*) FROM accounts a JOIN orders o ON o.account_id = a.id WHERE o.total > $1 GROUP BY 1"), ("params", new List<int> { 10 })), "accounts"),
    ];

    [Fact]
    public async Task The_typescript_client_validates_every_typed_answer_against_its_output_schema()
    {
        var typed = await CallEveryToolWithTypeScriptClientAsync(Project, [], Environment,
        [
            .. EveryCall,
            new("query", A(("sql", "SELECT id, owner FROM accounts ORDER BY id"), ("max_rows", 1)), "\"truncated\":true"),
            new("query", A(("sql", "SELECT owner FROM accounts ORDER BY id"), ("format", "markdown")), "| owner"),
        ],
        [
            new("describe_table", A(("table", "no_such_table")), "not_found"),
            new("query", A(("sql", "DELETE FROM accounts")), "permission_denied"),
        ]);

        Assert.Equal(["describe_table", "explain", "list_databases", "list_schemas", "list_tables", "query"], typed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Transports), MemberType = typeof(ToolSweep))]
    public async Task The_sql_guard_refuses_every_attack_of_the_corpus(string transport)
    {
        await using var server = await ConnectedServer.StartAsync(transport, Project, [], Environment);
        var before = await cluster.FingerprintAsync();
        var file = Path.Combine(Path.GetTempPath(), $"connectors-attack-{Guid.NewGuid():N}");

        foreach (var (attackClass, sql) in Corpus.Attacks)
        {
            // No other session is kept open here: the victim pid names this test's own process id, never a backend.
            var text = sql.Replace("{victim}", System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{file}", file, StringComparison.Ordinal);
            var result = await server.Client.CallToolAsync("query", A(("sql", text)));
            Assert.True(result.IsError == true, $"[{attackClass}] {text} was not refused: {result.Text()}");
            Assert.Contains(result.ErrorCode(), s_refusalCodes);
        }

        Assert.Equal(before, await cluster.FingerprintAsync());
        Assert.False(File.Exists(file), "no file was written");
    }

    [Fact]
    public async Task Doctor_passes_and_healthcheck_probes_the_running_server()
    {
        var (doctorExit, doctor, _) = await ServerProcess.RunToExitAsync(Project, ["doctor"], Environment);
        Assert.True(doctorExit == 0, doctor);
        Assert.Contains("ok   database default: reachable", doctor, StringComparison.Ordinal);
        Assert.Contains("ok   sql guard: PostgreSQL's parser (libpg_query) loaded", doctor, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, doctor, StringComparison.Ordinal);

        await using var server = await ServerProcess.StartHttpAsync(Project, [], Environment);
        var (healthExit, _, healthErr) = await ServerProcess.RunToExitAsync(Project, ["healthcheck", "--url", new Uri(server.BaseUrl, "/healthz").ToString()]);
        Assert.True(healthExit == 0, healthErr);
    }
}
