using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.GitHub;

/// <summary>
/// Every tool still declares all four annotations (the shared tool selection checks that); on the wire GitHub's tools
/// keep readOnlyHint and only the hints that differ from what the MCP specification tells a client to assume when one
/// is left out (destructive, not idempotent, open world), and a read-only tool drops destructiveHint and
/// idempotentHint, which the specification gives meaning only when readOnlyHint is false. A client reads the same
/// annotations; the model's tool list is about 1.4 KB smaller. Registered after the tool selection, so it runs after it.
/// </summary>
internal sealed class WireAnnotations : IPostConfigureOptions<McpServerOptions>
{
    public void PostConfigure(string? name, McpServerOptions options)
    {
        foreach (var tool in options.ToolCollection ?? [])
        {
            if (tool.ProtocolTool.Annotations is not { } a)
            {
                continue;
            }

            if (a.ReadOnlyHint == true || a.DestructiveHint == true)
            {
                a.DestructiveHint = null;
            }

            if (a.ReadOnlyHint == true || a.IdempotentHint == false)
            {
                a.IdempotentHint = null;
            }

            if (a.OpenWorldHint == true)
            {
                a.OpenWorldHint = null;
            }
        }
    }
}
