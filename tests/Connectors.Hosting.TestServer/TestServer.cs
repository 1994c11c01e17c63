using System.ComponentModel;
using Connectors.Hosting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Diagnostics;
using Connectors.Hosting.Errors;
using Connectors.Hosting.Output;
using Connectors.Hosting.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelContextProtocol.Protocol;
using System.Text.Json.Serialization;

namespace Connectors.Hosting.TestServer;

public static class TestServer
{
    public static readonly ConnectorOption<string> Secret = ConnectorOption.Text(
        "--test-secret", "CONNECTORS_TEST_SECRET", "testSecret", "A secret the failing tool puts in its exception text.", secret: true);

    public static readonly ConnectorOption<bool> Unready = ConnectorOption.Flag(
        "--test-unready", "CONNECTORS_TEST_UNREADY", "testUnready", "Make the readiness check fail.");

    public static readonly ConnectorOption<string> CheckFault = ConnectorOption.Choice(
        "--test-check-fault", "CONNECTORS_TEST_CHECK_FAULT", "testCheckFault", "Add a readiness check that throws (with the secret in its text) or never answers.", "none", "none", "throw", "hang");

    public static ConnectorServer Create()
    {
        var server = new ConnectorServer("connectors-testserver", "Exercises the shared host.")
        {
            Options = { Secret, Unready, CheckFault },
        };
        server.ConfigureServices((services, settings) =>
        {
            var checks = services.AddHealthChecks();
            checks.AddCheck("test", () => settings.Get(Unready) ? HealthCheckResult.Unhealthy("told to be unready") : HealthCheckResult.Healthy(), [ConnectorHealth.Ready]);
            // Carries the secret in its detail on purpose: doctor must redact what a careless check reports.
            checks.AddCheck("test-secret", () => settings.Get(Secret) is { Length: > 0 } secret
                ? HealthCheckResult.Healthy($"set ({secret})")
                : HealthCheckResult.Degraded("not set"));
            switch (settings.Get(CheckFault))
            {
                case "throw":
                    checks.AddCheck("fault", HealthCheckResult () => throw new InvalidOperationException($"connection failed: Password={settings.Get(Secret)}"), [ConnectorHealth.Ready]);
                    break;
                case "hang":
                    checks.AddAsyncCheck("fault", async cancellationToken =>
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                        return HealthCheckResult.Healthy();
                    }, [ConnectorHealth.Ready]);
                    break;
            }
        });
        server.ConfigureMcp((mcp, _) => mcp.WithTools<HostTestTools>(TypedResults.SerializerOptions(TestServerJsonContext.Default)));
        return server;
    }
}

[McpServerToolType]
public sealed class HostTestTools(ConnectorSettings settings, OutputBudget budget, ILogger<HostTestTools> logger)
{
    [McpServerTool(Name = "echo", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Returns its text, repeated.")]
    public static string Echo([Description("Text to return.")] string text, [Description("How many times.")] int times = 1) =>
        string.Concat(Enumerable.Repeat(text, times));

    [McpServerTool(Name = "slow", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Waits until cancelled or the given seconds pass.")]
    public async Task<string> Slow([Description("Seconds to wait.")] int seconds, CancellationToken cancellationToken)
    {
        logger.LogInformation("slow tool started");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogInformation("slow tool observed cancellation");
            throw;
        }

        return "done";
    }

    [McpServerTool(Name = "fail_internal", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Throws an unexpected exception whose text holds the secret.")]
    public string FailInternal() =>
        throw new InvalidOperationException($"connection failed: Password={settings.Get(TestServer.Secret)} at /srv/internal/path");

    [McpServerTool(Name = "fail_rate_limited", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = true)]
    [Description("Answers rate_limited.")]
    public static string FailRateLimited() => throw ConnectorException.RateLimited("The upstream is throttling this token.", 42);

    [McpServerTool(Name = "big_output", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Returns the given number of numbered lines, cut to the output budget with a continuation note.")]
    public string BigOutput([Description("Lines to return.")] int lines, [Description("Skip the safety-net helper and return raw text.")] bool raw = false)
    {
        var text = string.Concat(Enumerable.Range(1, lines).Select(i => $"line {i:D6} {new string('x', 80)}\n"));
        return raw ? text : budget.Fit(text, cut => $"Call big_output with skip={cut.KeptLines} to continue.");
    }

    [McpServerTool(Name = "sign_in", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Pretends to sign in (a tool with a sensitive argument, for audit tests).")]
    public static string SignIn([Description("User name.")] string user, [Description("Password.")] string password) =>
        $"signed in {user} ({password.Length} chars)";

    [McpServerTool(Name = "admin_report", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [McpMeta("connectors/scope", "testserver:admin")]
    [Description("A read-only tool that needs its own scope (declared in its meta).")]
    public static string AdminReport() => "all is well";

    [McpServerTool(Name = "measure", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(Measurement))]
    [Description("Measures a text (a tool with typed results); an empty text is refused.")]
    public static CallToolResult Measure([Description("Text to measure.")] string text)
    {
        if (text.Length == 0)
        {
            throw ConnectorException.InvalidArgument(nameof(text), "give some text.");
        }

        var measurement = new Measurement(text.Length, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, text.Length > 10 ? text[..10] : null);
        return TypedResults.Create($"{measurement.Characters} characters, {measurement.Words} words", measurement, TestServerJsonContext.Default.Measurement);
    }

    [McpServerTool(Name = "write_note", ReadOnly = false, Destructive = true, Idempotent = false, OpenWorld = false)]
    [Description("Pretends to write (a non-read-only tool for filtering tests).")]
    public static string WriteNote([Description("Note text.")] string text) => $"wrote {text.Length} chars";
}

public sealed record Measurement(int Characters, int Words, string? Prefix);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Measurement))]
internal sealed partial class TestServerJsonContext : JsonSerializerContext;
