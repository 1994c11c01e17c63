using System.Diagnostics;
using System.Diagnostics.Metrics;
using Connectors.Hosting.Telemetry;
using ModelContextProtocol;

namespace Connectors.Hosting.Tests;

public sealed class ToolPipelineTests
{
    private static Task<InMemoryMcp> StartAsync(params string[] args) =>
        InMemoryMcp.StartAsync(TestServer.TestServer.Create(), args);

    [Fact]
    public async Task Unexpected_exceptions_become_internal_error_with_a_correlation_id_and_no_exception_text()
    {
        await using var mcp = await StartAsync("--test-secret", "hunter2-secret-value");
        var result = await mcp.CallAsync("fail_internal");

        Assert.True(result.IsError);
        Assert.Equal("internal_error", result.ErrorCode());
        var text = result.Text();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/internal", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);

        // The correlation id leads the operator to the full story in the log, where the secret is redacted.
        var correlationId = result.ErrorField("correlation_id").GetString()!;
        Assert.Contains(correlationId, text, StringComparison.Ordinal);
        Assert.Contains(correlationId, mcp.Logs, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", mcp.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret-value", mcp.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connector_errors_keep_their_code_and_retry_after()
    {
        await using var mcp = await StartAsync();
        var result = await mcp.CallAsync("fail_rate_limited");

        Assert.Equal("rate_limited", result.ErrorCode());
        Assert.Equal(42, result.ErrorField("retry_after_seconds").GetInt32());
        Assert.True(result.ErrorField("retryable").GetBoolean());
        Assert.Contains("Retry after 42 s", result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"text": 5}""", "text", "expected a string, got an integer")]
    [InlineData("""{"text": "a", "times": "three"}""", "times", "expected an integer, got a string")]
    [InlineData("""{"text": "a", "times": 1.5}""", "times", "expected an integer, got a number")]
    [InlineData("""{}""", "text", "this argument is required")]
    [InlineData("""{"text": "a", "tmes": 2}""", "tmes", "unknown argument. This tool takes: text, times")]
    public async Task Wrong_arguments_say_which_argument_and_why(string argumentsJson, string argument, string reason)
    {
        await using var mcp = await StartAsync();
        var arguments = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!;
        var result = await mcp.CallAsync("echo", arguments);

        Assert.Equal("invalid_argument", result.ErrorCode());
        Assert.Equal(argument, result.ErrorField("argument").GetString());
        Assert.Contains(reason, result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_tools_are_a_protocol_error_and_the_server_keeps_serving()
    {
        await using var mcp = await StartAsync();
        var error = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.CallAsync("no_such_tool"));
        Assert.Contains("no_such_tool", error.Message, StringComparison.Ordinal);

        var after = await mcp.CallAsync("echo", new { text = "still here" });
        Assert.Equal("still here", after.Text());
    }

    [Fact]
    public async Task Output_over_budget_is_cut_at_a_line_and_says_how_to_continue()
    {
        await using var mcp = await StartAsync("--max-output-bytes", "4096");
        var result = await mcp.CallAsync("big_output", new { lines = 1000 });
        var text = result.Text();

        Assert.NotEqual(true, result.IsError);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= 4096, $"result is {text.Length} chars");
        Assert.Contains("[Output truncated: showing the first", text, StringComparison.Ordinal);
        var keptLines = text.Split('\n').Count(l => l.StartsWith("line ", StringComparison.Ordinal));
        Assert.Contains($"Call big_output with skip={keptLines} to continue.", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n').Where(l => l.StartsWith("line ", StringComparison.Ordinal)), l => Assert.Equal(92, l.Length));
    }

    [Fact]
    public async Task Results_a_tool_did_not_bound_are_cut_by_the_safety_net()
    {
        await using var mcp = await StartAsync("--max-output-bytes", "4096");
        var result = await mcp.CallAsync("big_output", new { lines = 1000, raw = true });

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(result.Text()) <= 4096);
        Assert.Contains("exceeded this server's output budget", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_mode_offers_only_read_only_tools()
    {
        await using var all = await StartAsync();
        await using var readOnly = await StartAsync("--read-only");

        var allNames = (await all.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        var readOnlyNames = (await readOnly.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("write_note", allNames);
        Assert.DoesNotContain("write_note", readOnlyNames);
        Assert.Contains("echo", readOnlyNames);
        await Assert.ThrowsAsync<McpProtocolException>(() => readOnly.CallAsync("write_note", new { text = "x" }));
    }

    [Fact]
    public async Task Allow_and_deny_lists_filter_tools_by_name()
    {
        await using var allowed = await StartAsync("--allow-tools", "echo,slow");
        Assert.Equal(["echo", "slow"], (await allowed.Client.ListToolsAsync()).Select(t => t.Name).Order());

        await using var denied = await StartAsync("--deny-tools", "echo");
        var names = (await denied.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.DoesNotContain("echo", names);
        Assert.Contains("slow", names);
    }

    [Fact]
    public async Task Every_tool_carries_all_four_annotations()
    {
        await using var mcp = await StartAsync();
        foreach (var tool in await mcp.Client.ListToolsAsync())
        {
            var a = tool.ProtocolTool.Annotations;
            Assert.NotNull(a);
            Assert.NotNull(a.ReadOnlyHint);
            Assert.NotNull(a.DestructiveHint);
            Assert.NotNull(a.IdempotentHint);
            Assert.NotNull(a.OpenWorldHint);
        }
    }

    [Fact]
    public async Task A_tool_past_its_deadline_answers_timeout()
    {
        await using var mcp = await StartAsync("--tool-timeout", "1");
        var result = await mcp.CallAsync("slow", new { seconds = 30 });
        Assert.Equal("timeout", result.ErrorCode());
        Assert.Contains("did not finish within 1 s", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_calls_are_measured_by_the_sdk_with_mcp_semantic_convention_names_and_the_span_names_the_error_code()
    {
        var measurements = new List<(double Value, Dictionary<string, object?> Tags)>();
        var spans = new List<Activity>();
        using var spanListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ConnectorTelemetry.McpSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(spanListener);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ConnectorTelemetry.McpSourceName && instrument.Name == "mcp.server.operation.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await using var mcp = await StartAsync();
        // Other tests run alongside and share the listener: this test's calls are the ones in its own trace.
        using var root = new Activity("test").Start();
        await mcp.CallAsync("echo", new { text = "x" });
        await mcp.CallAsync("fail_rate_limited");
        await mcp.Client.ListToolsAsync();
        root.Stop();

        // The SDK records a request's duration and ends its span as the request completes, which may be just after the
        // client has its answer: wait (boundedly) for this test's three measurements and two spans before looking.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        bool Arrived()
        {
            lock (measurements)
            lock (spans)
            {
                return measurements.Any(m => Equals(m.Tags.GetValueOrDefault("gen_ai.tool.name"), "echo"))
                    && measurements.Any(m => Equals(m.Tags.GetValueOrDefault("gen_ai.tool.name"), "fail_rate_limited"))
                    && measurements.Any(m => Equals(m.Tags.GetValueOrDefault("mcp.method.name"), "tools/list"))
                    && spans.Count(s => s.Kind == ActivityKind.Server && s.TraceId == root.TraceId && s.DisplayName.StartsWith("tools/call", StringComparison.Ordinal)) >= 2;
            }
        }

        while (!Arrived() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        lock (measurements)
        {
            Assert.Contains(measurements, m => Equals(m.Tags.GetValueOrDefault("gen_ai.tool.name"), "echo") && Equals(m.Tags.GetValueOrDefault("mcp.method.name"), "tools/call") && !m.Tags.ContainsKey("error.type"));
            Assert.Contains(measurements, m => Equals(m.Tags.GetValueOrDefault("gen_ai.tool.name"), "fail_rate_limited") && Equals(m.Tags.GetValueOrDefault("error.type"), "tool_error"));
            Assert.Contains(measurements, m => Equals(m.Tags.GetValueOrDefault("mcp.method.name"), "tools/list"));
            Assert.All(measurements, m => Assert.True(m.Value >= 0));
        }

        lock (spans)
        {
            var serverSpans = spans.Where(s => s.Kind == ActivityKind.Server && s.TraceId == root.TraceId).ToList();
            var failed = Assert.Single(serverSpans, s => s.DisplayName == "tools/call fail_rate_limited");
            Assert.Equal("rate_limited", failed.GetTagItem(ConnectorTelemetry.ErrorCodeTag));
            Assert.Equal(ActivityStatusCode.Error, failed.Status);
            var ok = Assert.Single(serverSpans, s => s.DisplayName == "tools/call echo");
            Assert.Null(ok.GetTagItem(ConnectorTelemetry.ErrorCodeTag));
            Assert.Equal("echo", ok.GetTagItem("gen_ai.tool.name"));
        }
    }
}
