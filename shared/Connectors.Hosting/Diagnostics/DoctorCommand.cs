using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Diagnostics;

/// <summary>
/// <c>doctor [server options]</c>: checks a configuration without serving — options resolve, the server's services
/// start, every readiness and doctor check passes — one line per check, exit code 0 when nothing failed, 1 otherwise.
/// </summary>
internal static class DoctorCommand
{
    public const string Name = "doctor";

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(ConnectorServer server, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"{server.Name} {server.Version} doctor");
        ConnectorSettings settings;
        var redactor = new SecretRedactor();
        try
        {
            settings = server.ResolveSettings(args, Environment.GetEnvironmentVariable);
            settings.RefuseSecretsOnCommandLine();
        }
        catch (ConnectorConfigurationException ex)
        {
            await WriteAsync(output, DoctorResult.Failed(Indent(ex.Message)), "configuration");
            return 1;
        }

        foreach (var secret in settings.SecretValues())
        {
            redactor.Add(secret);
        }

        var failed = false;
        ServiceProvider? provider = null;
        try
        {
            var services = new ServiceCollection();
            // The report on stdout says what failed; the log (stderr) keeps only errors so a terminal stays readable.
            services.AddLogging(logging => logging.AddConnectorLogging(settings, redactor).SetMinimumLevel(LogLevel.Error));
            services.AddConnectorMcpServer(server, settings);
            provider = services.BuildServiceProvider();
            ConnectorServiceCollectionExtensions.ValidateAtStart(provider);
            await WriteAsync(output, DoctorResult.Ok(Describe(settings, provider)), "configuration");
        }
        catch (ConnectorConfigurationException ex)
        {
            await WriteAsync(output, DoctorResult.Failed(redactor.Redact(Indent(ex.Message))), "configuration");
            if (provider is not null)
            {
                await provider.DisposeAsync();
            }

            return 1;
        }

        await using (provider)
        {
            var checks = provider.GetServices<IReadinessCheck>().Select(check => (check.Name, Run: (Func<CancellationToken, Task<DoctorResult>>)(async ct =>
            {
                var result = await check.CheckAsync(ct);
                return result.Ready ? DoctorResult.Ok(result.Detail) : DoctorResult.Failed(result.Detail);
            })))
                .Concat(provider.GetServices<IDoctorCheck>().Select(check => (check.Name, Run: (Func<CancellationToken, Task<DoctorResult>>)check.CheckAsync)));
            foreach (var (name, run) in checks)
            {
                var result = await RunCheckAsync(run, cancellationToken);
                failed |= result.Status == DoctorStatus.Failed;
                await WriteAsync(output, result with { Detail = redactor.Redact(result.Detail) }, name);
            }
        }

        await output.WriteLineAsync(failed ? "doctor: problems found (see FAIL lines)" : "doctor: ready to serve");
        return failed ? 1 : 0;
    }

    private static async Task<DoctorResult> RunCheckAsync(Func<CancellationToken, Task<DoctorResult>> run, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await run(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DoctorResult.Failed($"no answer within {CheckTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            return DoctorResult.Failed($"the check failed unexpectedly ({ex.GetType().Name})");
        }
    }

    private static string Describe(ConnectorSettings settings, IServiceProvider provider)
    {
        var tools = provider.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection ?? [];
        var readOnly = tools.Count(t => t.ProtocolTool.Annotations?.ReadOnlyHint == true);
        var transport = settings.Get(CommonOptions.Transport);
        var where = transport == "http" ? $"http on {string.Join(", ", settings.Get(CommonOptions.Urls))}, auth {settings.Get(Security.SecurityOptions.Auth)}" : "stdio";
        return $"valid; {tools.Count} tools ({readOnly} read-only); transport {where}";
    }

    private static Task WriteAsync(TextWriter output, DoctorResult result, string name)
    {
        var label = result.Status switch
        {
            DoctorStatus.Ok => "ok  ",
            DoctorStatus.Warning => "warn",
            _ => "FAIL",
        };
        return output.WriteLineAsync($"{label} {name}: {result.Detail}");
    }

    private static string Indent(string message) => message.Replace(Environment.NewLine, Environment.NewLine + "     ", StringComparison.Ordinal);
}
