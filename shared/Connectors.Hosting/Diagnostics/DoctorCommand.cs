using Connectors.Hosting.Configuration;
using Connectors.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Diagnostics;

/// <summary>
/// <c>doctor [server options]</c>: checks a configuration without serving — options resolve, the server's services
/// start, every registered health check passes — one line per check, exit code 0 when nothing failed, 1 otherwise.
/// </summary>
internal static class DoctorCommand
{
    public const string Name = "doctor";

    public static async Task<int> RunAsync(ConnectorServer server, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"{server.Name} {server.Version} doctor");
        ConnectorSettings settings;
        var redactor = new SecretRedactor();
        try
        {
            settings = server.ResolveSettings(args, Environment.GetEnvironmentVariable);
            settings.RefuseSecretsOnCommandLine();
            await server.ReportDeprecationsAsync(settings);
        }
        catch (ConnectorConfigurationException ex)
        {
            await WriteAsync(output, HealthStatus.Unhealthy, "configuration", Indent(ex.Message));
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
            // The report on stdout says what failed; the log (stderr) keeps only errors so a terminal stays readable, and
            // not the health check service's own line per failed check, which would repeat the report.
            services.AddLogging(logging => logging.AddConnectorLogging(settings, redactor).SetMinimumLevel(LogLevel.Error)
                .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
            services.AddConnectorMcpServer(server, settings);
            provider = services.BuildServiceProvider();
            ConnectorServiceCollectionExtensions.ValidateAtStart(provider);
            await WriteAsync(output, HealthStatus.Healthy, "configuration", Describe(settings, provider));
        }
        catch (ConnectorConfigurationException ex)
        {
            await WriteAsync(output, HealthStatus.Unhealthy, "configuration", redactor.Redact(Indent(ex.Message)));
            if (provider is not null)
            {
                await provider.DisposeAsync();
            }

            return 1;
        }

        await using (provider)
        {
            // Every registered health check, the ones /readyz runs and those only doctor runs, each within its timeout.
            var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
            foreach (var (name, entry) in report.Entries)
            {
                failed |= entry.Status == HealthStatus.Unhealthy;
                await WriteAsync(output, entry.Status, name, redactor.Redact(ConnectorHealth.Describe(entry)));
            }
        }

        await output.WriteLineAsync(failed ? "doctor: problems found (see FAIL lines)" : "doctor: ready to serve");
        return failed ? 1 : 0;
    }

    private static string Describe(ConnectorSettings settings, IServiceProvider provider)
    {
        var tools = provider.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection ?? [];
        var readOnly = tools.Count(t => t.ProtocolTool.Annotations?.ReadOnlyHint == true);
        var transport = settings.Get(CommonOptions.Transport);
        var where = transport == "http" ? $"http on {string.Join(", ", settings.Get(CommonOptions.Urls))}, auth {settings.Get(Security.SecurityOptions.Auth)}" : "stdio";
        return $"valid; {tools.Count} tools ({readOnly} read-only); transport {where}";
    }

    private static Task WriteAsync(TextWriter output, HealthStatus status, string name, string detail)
    {
        var label = status switch
        {
            HealthStatus.Healthy => "ok  ",
            HealthStatus.Degraded => "warn",
            _ => "FAIL",
        };
        return output.WriteLineAsync($"{label} {name}: {detail}");
    }

    private static string Indent(string message) => message.Replace(Environment.NewLine, Environment.NewLine + "     ", StringComparison.Ordinal);
}
