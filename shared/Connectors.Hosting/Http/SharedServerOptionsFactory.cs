using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Http;

/// <summary>
/// The SDK's stateless endpoint asks the options factory for a new <see cref="McpServerOptions"/> on every request, so
/// every configure step ran per call: the tool collection rebuilt, the tool selection checked again, about 6 KB and a
/// sixth of a call's allocations (measured on the filesystem server). Nothing in this suite configures a server per
/// request, so the steps run once and each request gets its own copy sharing what they built, as every session of the
/// SDK's stateful mode shares one options object. The SDK sets per-request values on the copy (ScopeRequests).
/// </summary>
internal sealed class SharedServerOptionsFactory : IOptionsFactory<McpServerOptions>
{
    private readonly OptionsFactory<McpServerOptions> _steps;
    private readonly Lazy<McpServerOptions> _built;

    public SharedServerOptionsFactory(
        IEnumerable<IConfigureOptions<McpServerOptions>> setups,
        IEnumerable<IPostConfigureOptions<McpServerOptions>> postConfigures,
        IEnumerable<IValidateOptions<McpServerOptions>> validations)
    {
        _steps = new(setups, postConfigures, validations);
        _built = new(() => _steps.Create(Options.DefaultName));
    }

    public McpServerOptions Create(string name) => name == Options.DefaultName ? CopyOf(_built.Value) : _steps.Create(name);

    /// <summary>Every settable property of the options; a test fails when the SDK adds one this does not copy.</summary>
    // Copying is not using: the obsolete and experimental members are carried over for whoever set them.
#pragma warning disable MCP9005, MCPEXP002
    internal static McpServerOptions CopyOf(McpServerOptions built) => new()
    {
        ServerInfo = built.ServerInfo,
        Capabilities = built.Capabilities,
        ProtocolVersion = built.ProtocolVersion,
        InitializationTimeout = built.InitializationTimeout,
        ServerInstructions = built.ServerInstructions,
        ScopeRequests = built.ScopeRequests,
        KnownClientInfo = built.KnownClientInfo,
        KnownClientCapabilities = built.KnownClientCapabilities,
        Handlers = built.Handlers,
        Filters = built.Filters,
        ToolCollection = built.ToolCollection,
        ResourceCollection = built.ResourceCollection,
        PromptCollection = built.PromptCollection,
        MaxSamplingOutputTokens = built.MaxSamplingOutputTokens,
        RequestHandlers = built.RequestHandlers,
    };
#pragma warning restore MCP9005, MCPEXP002
}
