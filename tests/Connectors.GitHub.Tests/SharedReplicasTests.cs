using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Connectors.Testing;
using Connectors.Testing.GitHub;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Connectors.GitHub.Tests;

/// <summary>Three GitHub server processes over HTTP sharing one real Redis and one emulator, as replicas behind a load balancer.</summary>
public sealed class ReplicasFixture : IAsyncLifetime
{
    public const int IdentityLimit = 20;

    /// <summary>The identity that runs into the shared limit; writes use another so each test has its own bucket.</summary>
    public const string LimitedKey = "limited-0f6c2d9e4b1a";

    public const string WriterKey = "writer-7d3e8a2c5f90";

    public const string ReaderKey = "reader-3b9f1e6a0c47";

    public RedisServer Redis { get; } = new();

    public GitHubEmulator Emulator { get; private set; } = null!;

    public List<ServerProcess> Replicas { get; } = [];

    public async ValueTask InitializeAsync()
    {
        await Redis.InitializeAsync();
        Emulator = await GitHubEmulator.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_TOKEN"] = GitHubFixture.Token,
            ["CONNECTORS_API_KEYS"] = $"limited:{LimitedKey}:github:read,writer:{WriterKey}:github:read github:write,reader:{ReaderKey}:github:read",
        };
        string[] args =
        [
            "--api-url", Emulator.Url.ToString(), "--toolsets", "all", "--auth", "api-key", "--redis", Redis.ConnectionString,
            "--redis-namespace", "replicas-test", "--rate-limit-identity", $"{IdentityLimit}", "--rate-limit-identity-burst", $"{IdentityLimit}",
        ];
        var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServerProcess.StartHttpAsync("Connectors.GitHub", args, environment)));
        Replicas.AddRange(started);
    }

    /// <summary>One client per replica, authenticated with <paramref name="key"/>.</summary>
    public async Task<McpClient[]> ConnectAllAsync(string key) =>
        await Task.WhenAll(Replicas.Select(replica => McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = replica.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }))));

    public async Task<string> ReadinessAsync(ServerProcess replica)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(replica.BaseUrl, "/readyz"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

[Trait("Category", "ServerProcess")]
public sealed class SharedReplicasTests(ReplicasFixture fixture) : IClassFixture<ReplicasFixture>
{
    private static readonly Dictionary<string, object?> Widgets = new() { ["repo"] = "octo-org/widgets" };

    [Fact]
    public async Task An_identity_limit_of_N_allows_about_N_calls_across_three_replicas_not_3N()
    {
        var clients = await fixture.ConnectAllAsync(ReplicasFixture.LimitedKey);
        var outcomes = new ConcurrentBag<string>();
        // Three times the limit, round-robin: per-process buckets would let every call through.
        await Parallel.ForEachAsync(Enumerable.Range(0, 3 * ReplicasFixture.IdentityLimit), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
        {
            var result = await clients[i % 3].CallToolAsync("get_repository", Widgets, cancellationToken: ct);
            outcomes.Add(result.IsError == true ? result.ErrorCode() ?? "error" : "ok");
        });

        await DisposeAllAsync(clients);
        var served = outcomes.Count(o => o == "ok");
        Assert.All(outcomes, o => Assert.True(o is "ok" or "rate_limited", o));
        // The bucket refills one call per 3 s while the run lasts: a few more than N at most.
        Assert.InRange(served, ReplicasFixture.IdentityLimit, ReplicasFixture.IdentityLimit + 4);
    }

    [Fact]
    public async Task One_idempotency_key_retried_concurrently_across_replicas_reaches_GitHub_once()
    {
        var clients = await fixture.ConnectAllAsync(ReplicasFixture.WriterKey);
        // A slow upstream write, so the retries arrive while the first is still in flight.
        fixture.Emulator.InjectFault(new GitHubFault { Kind = GitHubFaultKind.Latency, PathContains = "/issues", Method = "POST", Delay = TimeSpan.FromMilliseconds(800), Times = 100 });
        try
        {
            var key = Guid.NewGuid().ToString();
            var arguments = new Dictionary<string, object?> { ["repo"] = "octo-org/widgets", ["title"] = "Raced across replicas", ["idempotency_key"] = key };
            var before = CreateRequests();
            var results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => clients[i % 3].CallToolAsync("create_issue", arguments).AsTask()));

            Assert.Equal(1, CreateRequests() - before);
            var texts = results.Select(r => r.Ok()).ToList();
            Assert.Single(texts.Select(IssueNumber).Distinct());
            Assert.Equal(8, texts.Count(t => t.Contains("replay", StringComparison.OrdinalIgnoreCase)));
        }
        finally
        {
            fixture.Emulator.ClearFaults();
            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task While_Redis_is_down_writes_with_a_key_are_refused_as_retryable_and_reads_go_on_then_all_recovers()
    {
        var clients = await fixture.ConnectAllAsync(ReplicasFixture.WriterKey);
        var key = Guid.NewGuid().ToString();
        var arguments = new Dictionary<string, object?> { ["repo"] = "octo-org/widgets", ["title"] = "Written after the outage", ["idempotency_key"] = key };
        try
        {
            await fixture.Redis.StopAsync();
            await WaitForReadinessAsync("\"degraded\"");
            var before = CreateRequests();

            var refused = await clients[0].CallToolAsync("create_issue", arguments);
            Assert.Equal("upstream_unavailable", refused.ErrorCode());
            Assert.True(refused.ErrorField("retryable").GetBoolean());
            Assert.Equal(before, CreateRequests());
            Assert.Contains("widgets", (await clients[1].CallToolAsync("get_repository", Widgets)).Ok(), StringComparison.Ordinal);

            await fixture.Redis.StartAsync();
            await WaitForReadinessAsync("\"ok\"");
            var first = (await clients[1].CallToolAsync("create_issue", arguments)).Ok();
            var repeat = (await clients[2].CallToolAsync("create_issue", arguments)).Ok();
            Assert.Equal(1, CreateRequests() - before);
            Assert.Equal(IssueNumber(first), IssueNumber(repeat));
        }
        finally
        {
            if (!fixture.Redis.IsRunning)
            {
                await fixture.Redis.StartAsync();
            }

            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task An_answer_one_replica_cached_lets_another_ask_GitHub_only_whether_it_changed()
    {
        var clients = await fixture.ConnectAllAsync(ReplicasFixture.ReaderKey);
        try
        {
            var issue = new Dictionary<string, object?> { ["repo"] = "octo-org/widgets", ["issue_number"] = 2 };
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
            var cached = () => redis.GetServers().Single().Keys(pattern: "connectors:replicas-test:connectors-github:cache:*").Count();
            var before = cached();
            var first = (await clients[0].CallToolAsync("get_issue", issue)).Ok();
            // The first replica stores in the background: wait until it has landed, then ask the second replica once.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (cached() == before)
            {
                Assert.True(DateTime.UtcNow < until, "the first replica's answer never reached Redis");
                await Task.Delay(50);
            }

            var notModified = fixture.Emulator.NotModifiedServed;
            var second = (await clients[1].CallToolAsync("get_issue", issue)).Ok();
            Assert.True(fixture.Emulator.NotModifiedServed > notModified, "the second replica never sent the first one's validator");
            Assert.Equal(first, second);
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    /// <summary>Waits until every replica's /readyz shows the Redis check with this status.</summary>
    private async Task WaitForReadinessAsync(string status)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var replica in fixture.Replicas)
        {
            string readiness;
            while (!(readiness = await fixture.ReadinessAsync(replica)).Contains($"\"name\":\"redis\",\"status\":{status}", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < until, $"/readyz never showed redis {status}: {readiness}");
                await Task.Delay(200);
            }
        }
    }

    private long CreateRequests() =>
        fixture.Emulator.Requests.Count(r => r.StartsWith("POST /repos/octo-org/widgets/issues", StringComparison.Ordinal) && !r.Contains("/comments", StringComparison.Ordinal));

    private static string IssueNumber(string text) =>
        System.Text.RegularExpressions.Regex.Match(text, @"#(\d+)").Groups[1].Value is { Length: > 0 } number ? number : throw new InvalidOperationException(text);

    private static async Task DisposeAllAsync(IEnumerable<McpClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
