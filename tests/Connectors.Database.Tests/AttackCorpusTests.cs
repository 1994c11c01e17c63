namespace Connectors.Database.Tests;

/// <summary>
/// Every attack of the corpus, sent through the query tool of a server connected as a superuser (the worst case), must
/// be refused and leave the database exactly as it was, with another live session untouched.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AttackCorpusTests(DatabaseCluster cluster) : IAsyncLifetime
{
    private static readonly string[] s_refusalCodes = ["invalid_argument", "permission_denied"];
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"connectors-attack-{Guid.NewGuid():N}");
    private NpgsqlConnection _victim = null!;
    private int _victimPid;

    public async ValueTask InitializeAsync()
    {
        _victim = await cluster.OpenAdminAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid() FROM set_config('application_name', 'victim', false)", _victim);
        _victimPid = (int)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await _victim.DisposeAsync();

    [Theory]
    [MemberData(nameof(Corpus.AttackData), MemberType = typeof(Corpus))]
    public async Task An_attack_is_refused_and_leaves_the_database_and_other_sessions_untouched(string attackClass, int index, string preview)
    {
        var sql = Corpus.Attacks[index].Sql
            .Replace("{victim}", _victimPid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{file}", _file, StringComparison.Ordinal);
        var before = await cluster.FingerprintAsync();
        var mcp = await cluster.SharedServerAsync();

        var result = await mcp.CallAsync("query", new { sql });

        Assert.True(result.IsError, $"[{attackClass}] {preview} was not refused: {result.Text()}");
        Assert.Contains(result.ErrorCode(), s_refusalCodes);
        Assert.Equal(before, await cluster.FingerprintAsync());
        Assert.False(File.Exists(_file), "no file was written");
        await using (var check = new NpgsqlCommand("SELECT pg_backend_pid(), current_setting('application_name')", _victim))
        await using (var reader = await check.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync(), "the other session is alive");
            Assert.Equal(_victimPid, reader.GetInt32(0));
            Assert.Equal("victim", reader.GetString(1));
        }

        // The pooled connection the attack used is still read-only with the profile's limits.
        var after = await mcp.CallAsync("query", new { sql = "SELECT current_setting('transaction_read_only'), current_setting('statement_timeout'), (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')", format = "csv" });
        Assert.Equal("current_setting,current_setting,count\non,30s,0\n", after.Text());
    }
}

/// <summary>The analytical reads an agent really sends must all run.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ValidReadTests(DatabaseCluster cluster)
{
    [Theory]
    [MemberData(nameof(Corpus.ValidReadData), MemberType = typeof(Corpus))]
    public async Task A_valid_read_runs(string sql)
    {
        var mcp = await cluster.SharedServerAsync();
        var result = await mcp.CallAsync("query", new { sql });
        Assert.True(result.IsError != true, $"{sql} was refused: {result.Text()}");
        Assert.StartsWith("{\"columns\":[", result.Text(), StringComparison.Ordinal);
    }
}
