using System.Security.Cryptography;
using Connectors.Hosting.Telemetry;

namespace Connectors.Database.Tests;

/// <summary>What an operator's collector receives from the database server as a real process exporting OTLP/HTTP (protobuf).</summary>
[Collection(PostgresCollection.Name)]
public sealed class TelemetryTests(DatabaseCluster cluster)
{
    [Fact]
    public async Task A_query_over_stdio_is_one_trace_from_the_callers_meta_context_through_tools_call_to_npgsql()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var environment = collector.Environment;
        environment["CONNECTORS_DATABASE_CONNECTION_STRING"] = cluster.ConnectionString;
        await using var server = await RawStdioServer.StartInitializedAsync("Connectors.Database", [], environment);

        // MCP carries trace context in the request's _meta (the client's traceparent).
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var callerSpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = await server.RequestAsync("q1", "tools/call", new Dictionary<string, object?>
        {
            ["name"] = "query",
            ["arguments"] = new Dictionary<string, object?> { ["sql"] = "SELECT count(*) AS n FROM accounts" },
            ["_meta"] = new Dictionary<string, object?> { ["traceparent"] = $"00-{traceId}-{callerSpanId}-01" },
        }, TimeSpan.FromSeconds(60));
        Assert.NotEqual(JsonValueKind.True, response.GetProperty("result").TryGetProperty("isError", out var isError) ? isError.ValueKind : JsonValueKind.False);

        var spans = await collector.WaitForSpansAsync(
            all => all.Any(s => s.TraceId == traceId && s.Name == "tools/call query") && all.Any(s => s.TraceId == traceId && s.Scope == "Npgsql"),
            TimeSpan.FromSeconds(30));
        var trace = spans.Where(s => s.TraceId == traceId).ToList();

        var call = Assert.Single(trace, s => s.Name == "tools/call query");
        Assert.Equal((ConnectorTelemetry.McpSourceName, OtlpSpanKind.Server), (call.Scope, call.Kind));
        Assert.Equal(callerSpanId, call.ParentSpanId);
        Assert.Equal("query", call.Attributes["gen_ai.tool.name"]);
        Assert.Equal("connectors-database", call.Resource["service.name"]);

        // Every Npgsql span of the call sits under the tools/call span (no orphans), one of them the query itself.
        var database = trace.Where(s => s.Scope == "Npgsql").ToList();
        Assert.All(database, s => Assert.Equal((call.SpanId, OtlpSpanKind.Client), (s.ParentSpanId, s.Kind)));
        Assert.Contains(database, s => s.Attributes.Values.OfType<string>().Any(v => v.Contains("FROM accounts", StringComparison.Ordinal)));
        Assert.DoesNotContain(collector.Spans, s => s.Attributes.Values.OfType<string>().Any(v => v.Contains(PostgresCluster.Password, StringComparison.Ordinal)));
    }
}
