using System.Net;
using System.Text;
using Connectors.Testing;

namespace Connectors.Database.Tests;

/// <summary>The server as a real process over Streamable HTTP: readiness of every profile, and cancellation by a client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HttpProcessTests(PostgresCluster cluster)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(5) };

    private Task<ServerProcess> StartAsync(string connectionString, params string[] extra) =>
        ServerProcess.StartHttpAsync("Connectors.Database", ["--log-level", "information", .. extra],
            new Dictionary<string, string> { ["CONNECTORS_DATABASE_CONNECTION_STRING"] = connectionString });

    [Fact]
    public async Task Readyz_checks_the_database_profile()
    {
        await using (var server = await StartAsync(cluster.ConnectionString))
        {
            using var ready = await s_http.GetAsync(new Uri(server.BaseUrl, "/readyz"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("database default", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var unreachable = await StartAsync($"Host=127.0.0.1;Port=1;Database=x;Username=u;Password={PostgresCluster.Password}");
        using var notReady = await s_http.GetAsync(new Uri(unreachable.BaseUrl, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.DoesNotContain(PostgresCluster.Password, await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(unreachable.StderrLines, line => line.Contains(PostgresCluster.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_its_query_in_PostgreSQL()
    {
        // Timeouts far beyond the test's patience: only the cancellation can end the query in time.
        await using var server = await StartAsync(cluster.ConnectionString, "--statement-timeout", "900", "--tool-timeout", "900");
        var body = """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query","arguments":{"sql":""" + $"\"{OperationsTests.LongQuery}\"" + "}}}";
        using var disconnect = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.McpUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        var call = s_http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, disconnect.Token);
        await OperationsTests.WaitForProbesAsync(cluster, 1);

        await disconnect.CancelAsync();
        try
        {
            using var response = await call;
            await response.Content.ReadAsStringAsync(disconnect.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await OperationsTests.WaitForProbesAsync(cluster, 0);
    }
}
