namespace Connectors.GitHub.Api;

/// <summary>One cached GET answer: its validators and body, replayed when GitHub answers 304 (which costs no quota).</summary>
internal sealed record CachedResponse(string? ETag, string? LastModified, byte[] Body, string? Link);

/// <summary>A bounded LRU of GET answers by URL and Accept header, limited by entries and total bytes.</summary>
internal sealed class ResponseCache(int maxEntries = 1000, long maxBytes = 32L * 1024 * 1024)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, CachedResponse Value)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CachedResponse Value)> _order = new();
    private long _bytes;

    public CachedResponse? Get(string key)
    {
        lock (_order)
        {
            if (!_index.TryGetValue(key, out var node))
            {
                return null;
            }

            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Value;
        }
    }

    /// <summary>
    /// The repositories (owner/name) whose answers are cached now, most recently used first: what completions may offer
    /// without asking GitHub.
    /// </summary>
    public IReadOnlyList<string> KnownRepositories()
    {
        var repositories = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        lock (_order)
        {
            foreach (var (key, _) in _order)
            {
                // Keys are "repos/{owner}/{name}[/…|?…]\n{accept}" for repository answers.
                if (!key.StartsWith("repos/", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = key[6..].Split('/', '?', '\n');
                if (parts.Length >= 2 && parts[0].Length > 0 && parts[1].Length > 0 && seen.Add(parts[0] + "/" + parts[1]))
                {
                    repositories.Add(parts[0] + "/" + parts[1]);
                }
            }
        }

        return repositories;
    }

    public void Put(string key, CachedResponse value)
    {
        // One answer larger than a tenth of the cache would push out everything else.
        if (value.Body.Length > maxBytes / 10)
        {
            return;
        }

        lock (_order)
        {
            if (_index.Remove(key, out var old))
            {
                _order.Remove(old);
                _bytes -= old.Value.Value.Body.Length;
            }

            _index[key] = _order.AddFirst((key, value));
            _bytes += value.Body.Length;
            while (_index.Count > maxEntries || _bytes > maxBytes)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _index.Remove(last.Value.Key);
                _bytes -= last.Value.Value.Body.Length;
            }
        }
    }
}
