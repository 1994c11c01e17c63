using System.Diagnostics.CodeAnalysis;

namespace Connectors.Hosting;

/// <summary>
/// Parts of the host a build can leave out. Under Native AOT a switch set to false at publish time (eng/publish.sh
/// --stdio-only) is a constant, so the compiler drops what only it reaches: without HTTP, ASP.NET Core and Kestrel, which
/// is a third of the executable and of a stdio server's idle memory (docs/performance.md).
/// </summary>
internal static class HostingFeatures
{
    [FeatureSwitchDefinition("Connectors.Hosting.Http.IsSupported")]
    public static bool IsHttpSupported => !AppContext.TryGetSwitch("Connectors.Hosting.Http.IsSupported", out var on) || on;
}
