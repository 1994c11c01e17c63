using Connectors.Hosting.Configuration;

namespace Connectors.Hosting.Diagnostics;

/// <summary>
/// <c>healthcheck [--url URL]</c>: asks this server's own <c>/healthz</c> over loopback and exits 0 when it answers 200.
/// Container images have no curl; the image's HEALTHCHECK runs the server binary itself.
/// </summary>
internal static class HealthcheckCommand
{
    public const string Name = "healthcheck";

    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        var url = args.Length == 2 && args[0] == "--url" ? args[1] : DefaultUrl();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync("usage: healthcheck [--url http://127.0.0.1:8080/healthz]");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(target, cancellationToken);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"healthcheck: {target} did not answer ({ex.GetType().Name})");
            return 1;
        }
    }

    /// <summary>The first address the server listens on (CONNECTORS_URLS), reached over loopback.</summary>
    private static string DefaultUrl()
    {
        var listen = Environment.GetEnvironmentVariable(CommonOptions.Urls.EnvironmentVariable)?.Split(',', ';')[0].Trim();
        if (string.IsNullOrEmpty(listen) || !Uri.TryCreate(listen.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return "http://127.0.0.1:8080/healthz";
        }

        return new UriBuilder(uri) { Host = "127.0.0.1", Path = "/healthz" }.Uri.ToString();
    }
}
