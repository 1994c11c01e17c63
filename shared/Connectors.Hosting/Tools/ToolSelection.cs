using Connectors.Hosting.Configuration;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Tools;

/// <summary>
/// Decides which tools a server offers: every tool must carry all four annotations; <c>--read-only</c> keeps only
/// read-only tools; <c>allowTools</c> / <c>denyTools</c> keep or remove tools by name.
/// </summary>
internal sealed class ToolSelection(ConnectorSettings settings) : IPostConfigureOptions<McpServerOptions>
{
    public void PostConfigure(string? name, McpServerOptions options)
    {
        if (options.ToolCollection is not { } tools)
        {
            return;
        }

        var all = tools.ToList();
        foreach (var tool in all)
        {
            var a = tool.ProtocolTool.Annotations;
            if (a?.ReadOnlyHint is null || a.DestructiveHint is null || a.IdempotentHint is null || a.OpenWorldHint is null)
            {
                throw new ConnectorConfigurationException(
                    $"Tool '{tool.ProtocolTool.Name}' must declare ReadOnly, Destructive, Idempotent and OpenWorld in its [McpServerTool] attribute.");
            }
        }

        var names = all.Select(t => t.ProtocolTool.Name).ToHashSet(StringComparer.Ordinal);
        var allow = settings.Get(CommonOptions.AllowTools);
        var deny = settings.Get(CommonOptions.DenyTools);
        foreach (var (option, list) in new[] { (CommonOptions.AllowTools, allow), (CommonOptions.DenyTools, deny) })
        {
            if (list.FirstOrDefault(n => !names.Contains(n)) is { } unknown)
            {
                throw new ConnectorConfigurationException(
                    $"{option.Name} (from {settings.SourceOf(option)}): unknown tool '{unknown}'. This server's tools: {string.Join(", ", names.Order(StringComparer.Ordinal))}.");
            }
        }

        // A deny list from the config file is applied per request by ToolAccess, which re-reads the file when it changes.
        var staticDeny = Security.ToolAccess.IsDenyFromConfigFile(settings) ? [] : deny;
        var readOnly = settings.Get(CommonOptions.ReadOnly);
        foreach (var tool in all)
        {
            var toolName = tool.ProtocolTool.Name;
            var keep = (!readOnly || tool.ProtocolTool.Annotations!.ReadOnlyHint == true)
                && (allow.Count == 0 || allow.Contains(toolName, StringComparer.Ordinal))
                && !staticDeny.Contains(toolName, StringComparer.Ordinal);
            if (!keep)
            {
                tools.Remove(tool);
            }
        }
    }
}
