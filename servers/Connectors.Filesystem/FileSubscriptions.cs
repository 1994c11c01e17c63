using Connectors.Hosting.Errors;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Connectors.Filesystem;

/// <summary>
/// <c>resources/subscribe</c> over stdio: one session per process, so this singleton is the session's subscriptions and
/// the provider's disposal at session end stops every watcher. Each directory with a subscribed file has one shared
/// <see cref="FileSystemWatcher"/>; bursts of events (an editor's save is several) become one update per file.
/// </summary>
public sealed class FileSubscriptions(PathGuard guard) : IDisposable
{
    /// <summary>Each subscription costs a watched name and possibly an inotify watch: a client may not hold more.</summary>
    public const int MaxPerSession = 256;

    internal static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Directory, string Name)> _byUri = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DirectoryWatch> _watches = new(StringComparer.Ordinal);
    private McpServer? _server;

    public ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri;
        var fullPath = ResolveFile(uri);
        lock (_lock)
        {
            _server = request.Server;
            if (_byUri.ContainsKey(uri!))
            {
                return ValueTask.FromResult(new EmptyResult());
            }

            if (_byUri.Count >= MaxPerSession)
            {
                throw new McpProtocolException(
                    $"this session already has {MaxPerSession} resource subscriptions, the most it may hold; unsubscribe from one first.",
                    McpErrorCode.InvalidRequest);
            }

            var directory = Path.GetDirectoryName(fullPath)!;
            var name = Path.GetFileName(fullPath);
            if (!_watches.TryGetValue(directory, out var watch))
            {
                watch = new DirectoryWatch(this, directory);
                _watches.Add(directory, watch);
            }

            watch.Add(name, uri!);
            _byUri.Add(uri!, (directory, name));
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    /// <summary>Idempotent, and by the URI as subscribed: the file may be gone by now.</summary>
    public ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (request.Params?.Uri is { } uri && _byUri.Remove(uri, out var entry) &&
                _watches.TryGetValue(entry.Directory, out var watch) && watch.Remove(entry.Name, uri))
            {
                _watches.Remove(entry.Directory);
                watch.Dispose();
            }
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    /// <summary>Over HTTP the server is stateless: there is no session to send an update to, so subscribing is refused.</summary>
    public static ValueTask<EmptyResult> RefuseOverHttp<TParams>(RequestContext<TParams> request, CancellationToken cancellationToken) =>
        throw new McpProtocolException(
            "resource subscriptions need the stdio transport: over HTTP this server keeps no session to send updates to.",
            McpErrorCode.MethodNotFound);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byUri.Count;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var watch in _watches.Values)
            {
                watch.Dispose();
            }

            _watches.Clear();
            _byUri.Clear();
        }
    }

    /// <summary>The same resolution as resources/read, with its error codes and words (never a path outside the roots).</summary>
    private string ResolveFile(string? uri)
    {
        if (uri is null || !uri.StartsWith("file://", StringComparison.Ordinal))
        {
            throw new McpProtocolException("uri: give a file:// URI of a file under an allowed directory.", McpErrorCode.InvalidParams);
        }

        try
        {
            using var file = guard.OpenFile(guard.Resolve(Uri.UnescapeDataString(uri["file://".Length..]), "uri"), "uri");
            return file.Real.FullPath;
        }
        catch (ConnectorException e) when (e.Code == ErrorCodes.PermissionDenied)
        {
            // The guard's words repeat the requested path; a refused one may lie outside the roots, so it is not echoed.
            throw new McpProtocolException(
                "uri: Access denied: the file is outside the allowed directories or matches a denied pattern.", McpErrorCode.InvalidParams);
        }
        catch (ConnectorException e)
        {
            throw new McpProtocolException(e.Message, e.Code == ErrorCodes.NotFound ? McpErrorCode.ResourceNotFound : McpErrorCode.InvalidParams);
        }
    }

    private void Send(IReadOnlyList<string> uris)
    {
        McpServer? server;
        lock (_lock)
        {
            server = _server;
        }

        if (server is null)
        {
            return;
        }

        foreach (var uri in uris)
        {
            // Fire and forget from a timer thread: a closed session simply drops the update.
            _ = server.SendNotificationAsync(
                NotificationMethods.ResourceUpdatedNotification,
                new ResourceUpdatedNotificationParams { Uri = uri },
                McpJsonUtilities.DefaultOptions).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>One directory's watcher and the subscribed names in it; changes are gathered for <see cref="Debounce"/>.</summary>
    private sealed class DirectoryWatch : IDisposable
    {
        private readonly FileSubscriptions _owner;
        private readonly FileSystemWatcher _watcher;
        private readonly Timer _timer;
        private readonly Dictionary<string, HashSet<string>> _urisByName = new(StringComparer.Ordinal);
        private readonly HashSet<string> _pending = new(StringComparer.Ordinal);

        public DirectoryWatch(FileSubscriptions owner, string directory)
        {
            _owner = owner;
            _timer = new Timer(_ => Flush());
            _watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, e) => Touched(e.Name);
            _watcher.Created += (_, e) => Touched(e.Name);
            _watcher.Deleted += (_, e) => Touched(e.Name);
            _watcher.Renamed += (_, e) =>
            {
                Touched(e.OldName);
                Touched(e.Name);
            };
            _watcher.EnableRaisingEvents = true;
        }

        // Called under the owner's lock.
        public void Add(string name, string uri)
        {
            if (!_urisByName.TryGetValue(name, out var uris))
            {
                _urisByName.Add(name, uris = new HashSet<string>(StringComparer.Ordinal));
            }

            uris.Add(uri);
        }

        /// <summary>Called under the owner's lock; true when nothing in this directory is subscribed any more.</summary>
        public bool Remove(string name, string uri)
        {
            if (_urisByName.TryGetValue(name, out var uris) && uris.Remove(uri) && uris.Count == 0)
            {
                _urisByName.Remove(name);
            }

            return _urisByName.Count == 0;
        }

        private void Touched(string? name)
        {
            lock (_owner._lock)
            {
                if (name is null || !_urisByName.TryGetValue(name, out var uris))
                {
                    return;
                }

                _pending.UnionWith(uris);
                _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
        }

        private void Flush()
        {
            List<string> uris;
            lock (_owner._lock)
            {
                // Unsubscribed meanwhile: no update for it.
                uris = [.. _pending.Where(u => _owner._byUri.ContainsKey(u))];
                _pending.Clear();
            }

            _owner.Send(uris);
        }

        public void Dispose()
        {
            _watcher.Dispose();
            _timer.Dispose();
        }
    }
}
