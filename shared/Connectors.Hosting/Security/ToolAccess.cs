using System.Text.Json;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Errors;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace Connectors.Hosting.Security;

/// <summary>
/// Who may see and call which tool: each tool needs one scope (read-only tools <c>&lt;server&gt;:read</c>, others
/// <c>&lt;server&gt;:write</c>, unless <c>--tool-scopes</c> or the tool's <c>connectors/scope</c> meta says otherwise), and
/// the config file's <c>denyTools</c> is re-read when the file changes, so a tool can be switched off without a restart.
/// </summary>
internal sealed class ToolAccess : IDisposable
{
    /// <summary>Tool <c>_meta</c> key a tool can set (<c>[McpMeta("connectors/scope", "x:admin")]</c>) to need another scope.</summary>
    public const string ScopeMetaKey = "connectors/scope";

    private readonly Dictionary<string, string> _scopeOverrides;
    private readonly string _readScope;
    private readonly string _writeScope;
    private readonly string? _watchedConfig;
    private readonly ILogger _logger;
    private readonly Timer? _watch;
    private volatile IReadOnlySet<string> _denied;
    private (DateTime Written, long Length) _configStamp;

    public ToolAccess(ConnectorSettings settings, string serverName, ILoggerFactory loggerFactory)
    {
        (_readScope, _writeScope) = ScopesOf(serverName);
        _logger = loggerFactory.CreateLogger("Connectors.Security");
        _scopeOverrides = new(StringComparer.Ordinal);
        foreach (var entry in settings.Get(SecurityOptions.ToolScopes))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || parts[1].Contains(' ', StringComparison.Ordinal))
            {
                throw new ConnectorConfigurationException($"--tool-scopes (from {settings.SourceOf(SecurityOptions.ToolScopes)}): '{entry}' is not tool=scope.");
            }

            _scopeOverrides[parts[0]] = parts[1];
        }

        // Authorization applies to authenticated HTTP only; stdio and --auth none reach every offered tool.
        Enforced = settings.Get(CommonOptions.Transport) == "http" && settings.Get(SecurityOptions.Auth) != SecurityOptions.AuthNone;

        _denied = settings.Get(CommonOptions.DenyTools).ToHashSet(StringComparer.Ordinal);
        if (IsDenyFromConfigFile(settings))
        {
            _watchedConfig = settings.ConfigFilePath;
            _configStamp = Stamp(_watchedConfig!);
            _watch = new Timer(_ => Reload(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    public bool Enforced { get; }

    /// <summary>Whether <c>tools.deny</c> is re-read from the config file, so the offered tools can change while the server runs.</summary>
    public bool Reloads => _watch is not null;

    /// <summary>Raised (on a timer thread) after a re-read of the config file changed the deny list.</summary>
    public event Action? DenyListChanged;

    /// <summary>The scopes a key without its own list holds: this server's read and write scopes.</summary>
    public static IReadOnlySet<string> DefaultScopesOf(string serverName)
    {
        var (read, write) = ScopesOf(serverName);
        return new HashSet<string>(StringComparer.Ordinal) { read, write };
    }

    private static (string Read, string Write) ScopesOf(string serverName)
    {
        var prefix = serverName.StartsWith("connectors-", StringComparison.Ordinal) ? serverName["connectors-".Length..] : serverName;
        return (prefix + ":read", prefix + ":write");
    }

    /// <summary>Stops the server when <c>--tool-scopes</c> names a tool it does not have (a typo would leave the tool on its default scope).</summary>
    public void CheckOverrides(IEnumerable<string> toolNames, ConnectorSettings settings)
    {
        var names = toolNames.ToHashSet(StringComparer.Ordinal);
        if (_scopeOverrides.Keys.FirstOrDefault(n => !names.Contains(n)) is { } unknown)
        {
            throw new ConnectorConfigurationException(
                $"--tool-scopes (from {settings.SourceOf(SecurityOptions.ToolScopes)}): '{unknown}' is not a tool this server offers. Its tools: {string.Join(", ", names.Order(StringComparer.Ordinal))}.");
        }
    }

    /// <summary>The static deny list applies to the tool collection only when it does not come from a reloadable file.</summary>
    public static bool IsDenyFromConfigFile(ConnectorSettings settings) =>
        settings.ConfigFilePath is not null && settings.SourceOf(CommonOptions.DenyTools) is var source &&
        (source == "default" || source.StartsWith("config key", StringComparison.Ordinal));

    public string RequiredScope(Tool tool) =>
        _scopeOverrides.TryGetValue(tool.Name, out var scope) ? scope
        : tool.Meta?[ScopeMetaKey]?.GetValueKind() == JsonValueKind.String ? tool.Meta[ScopeMetaKey]!.GetValue<string>()
        : tool.Annotations?.ReadOnlyHint == true ? _readScope
        : _writeScope;

    public bool IsDenied(string toolName) => _denied.Contains(toolName);

    public bool IsVisible(Tool tool, CallerIdentity? caller) =>
        !IsDenied(tool.Name) && (!Enforced || (caller is not null && caller.Scopes.Contains(RequiredScope(tool))));

    /// <summary>Throws <c>permission_denied</c> naming what is missing when the caller may not call the tool.</summary>
    public void CheckCall(Tool tool, CallerIdentity? caller)
    {
        if (IsDenied(tool.Name))
        {
            throw ConnectorException.PermissionDenied($"The tool '{tool.Name}' is switched off on this server (denyTools).");
        }

        if (!Enforced)
        {
            return;
        }

        var scope = RequiredScope(tool);
        if (caller is null || !caller.Scopes.Contains(scope))
        {
            throw ConnectorException.PermissionDenied($"The tool '{tool.Name}' needs the scope '{scope}', which this caller does not have.");
        }
    }

    public void Dispose() => _watch?.Dispose();

    private void Reload()
    {
        try
        {
            var stamp = Stamp(_watchedConfig!);
            if (stamp == _configStamp)
            {
                return;
            }

            _configStamp = stamp;
            using var document = JsonDocument.Parse(File.ReadAllText(_watchedConfig!), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var denied = new HashSet<string>(StringComparer.Ordinal);
            // denyTools, or tools.deny as it was spelled before issue 21.
            if ((document.RootElement.TryGetProperty("denyTools", out var deny) ||
                 (document.RootElement.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Object && tools.TryGetProperty("deny", out deny))) &&
                deny.ValueKind == JsonValueKind.Array)
            {
                denied.UnionWith(deny.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }

            if (!denied.SetEquals(_denied))
            {
                _denied = denied;
                _logger.LogWarning("denyTools reloaded from the config file: {Denied}", string.Join(", ", denied.Order(StringComparer.Ordinal)));
                DenyListChanged?.Invoke();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // A half-written file is read again on its next change; the last good list stays in force.
            _logger.LogWarning("The config file could not be re-read ({Reason}); denyTools is unchanged.", ex.GetType().Name);
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
