using Connectors.Hosting.Security;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Lets clients cache the lists that do not change while a server runs (the 2026-07-28 <c>ttlMs</c> and
/// <c>cacheScope</c> hints), and keeps the offered tools in step with a reloaded <c>tools.deny</c>, so the SDK tells
/// connected sessions with <c>notifications/tools/list_changed</c>.
/// </summary>
internal static class ListCaching
{
    /// <summary>Prompts, resource templates, and tools when nothing reloads: they change only with a new deployment.</summary>
    public static readonly TimeSpan StaticListLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Tools when <c>tools.deny</c> reloads from the config file: a client sees a switched-off tool go within this.</summary>
    public static readonly TimeSpan ReloadableListLifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The hints, set after the list is built. Resource lists are left without: they follow the data (files, tables,
    /// channels), which can change at any moment.
    /// </summary>
    public static void AddListCacheHints(this IMcpRequestFilterBuilder filters)
    {
        filters.AddListToolsFilter(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            var access = (context.Services ?? throw new InvalidOperationException("No services on the request.")).GetRequiredService<ToolAccess>();
            // With authorization on, each caller sees the tools its scopes reach: only that caller may reuse its list.
            result.CacheScope = access.Enforced ? CacheScope.Private : CacheScope.Public;
            result.TimeToLive = access.Reloads ? ReloadableListLifetime : StaticListLifetime;
            return result;
        });
        filters.AddListPromptsFilter(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            result.CacheScope = CacheScope.Public;
            result.TimeToLive = StaticListLifetime;
            return result;
        });
        filters.AddListResourceTemplatesFilter(next => async (context, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            result.CacheScope = CacheScope.Public;
            result.TimeToLive = StaticListLifetime;
            return result;
        });
    }
}

/// <summary>
/// Removes from the server's tool collection the tools a reloaded <c>tools.deny</c> switches off, and puts back those
/// it switches on again. Changing the collection is what makes the SDK send <c>notifications/tools/list_changed</c> to
/// every connected session (stdio); stateless HTTP clients see the change when their cached list expires.
/// </summary>
internal sealed class DeniedToolsSync : IDisposable
{
    private readonly McpServerPrimitiveCollection<McpServerTool> _offered;
    private readonly McpServerTool[] _selected;
    private readonly ToolAccess _access;
    private readonly Lock _gate = new();

    public DeniedToolsSync(McpServerOptions options, ToolAccess access)
    {
        _offered = options.ToolCollection ?? [];
        _selected = [.. _offered];
        _access = access;
        Apply();
        access.DenyListChanged += Apply;
    }

    public void Dispose() => _access.DenyListChanged -= Apply;

    private void Apply()
    {
        lock (_gate)
        {
            foreach (var tool in _selected)
            {
                var denied = _access.IsDenied(tool.ProtocolTool.Name);
                if (denied && _offered.Contains(tool))
                {
                    _offered.Remove(tool);
                }
                else if (!denied && !_offered.Contains(tool))
                {
                    _offered.Add(tool);
                }
            }
        }
    }
}
