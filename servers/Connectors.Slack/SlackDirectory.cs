using System.Text.Json.Serialization.Metadata;
using Connectors.Hosting.Redis;
using Connectors.Slack.Api;
using Microsoft.Extensions.Caching.Memory;

namespace Connectors.Slack;

/// <summary>
/// Channels and people by ID, name, handle and email, remembered in a bounded cache (size and TTL from the options) and
/// filled lazily: nothing is fetched at start-up, an ID costs one call the first time, and a name or handle is found by
/// paging through the list only until it turns up (at most <see cref="MaxScanPages"/> pages per lookup). Names for whole
/// answers come in batches (SlackDirectory.Names.cs). With --redis, what one replica learns by ID, name, handle or email
/// is found by the others in Redis (the second level) before they ask Slack.
/// </summary>
internal sealed partial class SlackDirectory : IDisposable
{
    public const int MaxScanPages = 10;
    private const int ScanPageSize = 200;

    private readonly SlackApiClient _slack;
    private readonly MemoryCache _cache;
    private readonly TimeSpan _ttl;
    private readonly SharedCache? _shared;
    private readonly string _sharedScope;

    /// <param name="sharedScope">Whose view the entries are (API and token): only replicas with the same one share them.</param>
    public SlackDirectory(SlackApiClient slack, int capacity, TimeSpan ttl, SharedCache? shared = null, string sharedScope = "")
    {
        _slack = slack;
        _ttl = ttl;
        _shared = shared;
        _sharedScope = sharedScope;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity, CompactionPercentage = 0.1 });
    }

    public void Remember(SlackChannel channel)
    {
        Set("c:" + channel.Id, channel);
        if (channel.Name is { Length: > 0 } name)
        {
            Set("c#" + name.ToLowerInvariant(), channel);
        }
    }

    public void Remember(SlackUser user)
    {
        Set("u:" + user.Id, user);
        foreach (var handle in Handles(user))
        {
            Set("u@" + handle.ToLowerInvariant(), user);
        }

        if (user.Profile?.Email is { Length: > 0 } email)
        {
            Set("u%" + email.ToLowerInvariant(), user);
        }
    }

    /// <summary>A channel by ID (C…, G…, D…), <c>#name</c> or bare name.</summary>
    public async Task<SlackChannel> ChannelAsync(string reference, CancellationToken cancellationToken)
    {
        var trimmed = reference.Trim();
        if (SlackIds.IsConversationId(trimmed))
        {
            if (await RecallAsync("c:" + trimmed, SlackJsonContext.Default.SlackChannel, cancellationToken) is { } known)
            {
                return known;
            }

            var info = await _slack.CallAsync(
                new SlackCall("conversations.info", Args(("channel", trimmed)), _slack.Tokens.Default), SlackJsonContext.Default.ConversationInfoResponse, cancellationToken);
            var channel = info.Channel ?? throw ConnectorException.NotFound($"Channel {trimmed} was not found.");
            Remember(channel);
            return channel;
        }

        var name = trimmed.TrimStart('#').ToLowerInvariant();
        if (name.Length is 0 or > 80 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw ConnectorException.InvalidArgument("channel", "give a channel ID such as C0123ABCD or a name such as #general.");
        }

        if (await RecallAsync("c#" + name, SlackJsonContext.Default.SlackChannel, cancellationToken) is { } cached)
        {
            return cached;
        }

        string? cursor = null;
        for (var page = 0; page < MaxScanPages; page++)
        {
            var list = await _slack.CallAsync(
                new SlackCall("conversations.list", Args(("types", "public_channel,private_channel"), ("limit", ScanPageSize.ToString()), ("cursor", cursor)), _slack.Tokens.Default),
                SlackJsonContext.Default.ConversationListResponse, cancellationToken);
            SlackChannel? found = null;
            foreach (var channel in list.Channels)
            {
                Remember(channel);
                if (string.Equals(channel.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    found ??= channel;
                }
            }

            if (found is not null)
            {
                return found;
            }

            if ((cursor = list.NextCursor) is null)
            {
                throw ConnectorException.NotFound($"No channel named #{name} is visible to the Slack app (a private channel needs the app invited). list_channels shows what is visible.");
            }
        }

        throw ConnectorException.NotFound($"#{name} was not among the first {MaxScanPages * ScanPageSize} channels; give its ID (list_channels with name_contains finds it).");
    }

    /// <summary>A user by ID, <c>@handle</c> or email address.</summary>
    public async Task<SlackUser> UserAsync(string reference, CancellationToken cancellationToken)
    {
        var trimmed = reference.Trim();
        if (SlackIds.IsUserId(trimmed))
        {
            return await UserByIdAsync(trimmed, cancellationToken) ?? throw ConnectorException.NotFound($"No Slack user has the ID {trimmed}.");
        }

        if (trimmed.Contains('@', StringComparison.Ordinal) && !trimmed.StartsWith('@'))
        {
            return await UserByEmailAsync(trimmed, cancellationToken);
        }

        var handle = trimmed.TrimStart('@').ToLowerInvariant();
        if (handle.Length is 0 or > 80 || handle.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw ConnectorException.InvalidArgument("user", "give a user ID (U0123ABCD), a handle (@jane) or an email address.");
        }

        if (await RecallAsync("u@" + handle, SlackJsonContext.Default.SlackUser, cancellationToken) is { } cached)
        {
            return cached;
        }

        string? cursor = null;
        for (var page = 0; page < MaxScanPages; page++)
        {
            var list = await _slack.CallAsync(
                new SlackCall("users.list", Args(("limit", ScanPageSize.ToString()), ("cursor", cursor)), _slack.Tokens.Default),
                SlackJsonContext.Default.UserListResponse, cancellationToken);
            SlackUser? found = null;
            foreach (var user in list.Members)
            {
                Remember(user);
                if (Handles(user).Any(h => string.Equals(h, handle, StringComparison.OrdinalIgnoreCase)))
                {
                    found ??= user;
                }
            }

            if (found is not null)
            {
                return found;
            }

            if ((cursor = list.NextCursor) is null)
            {
                throw ConnectorException.NotFound($"No Slack user has the handle @{handle}; list_users shows the people.");
            }
        }

        throw ConnectorException.NotFound($"@{handle} was not among the first {MaxScanPages * ScanPageSize} people; give the user's ID or email instead.");
    }

    /// <summary>A user by ID for display: null when Slack does not know it (remembered too, so it is asked once).</summary>
    public async Task<SlackUser?> UserByIdAsync(string id, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue("u:" + id, out SlackUser? known))
        {
            return known; // null: Slack said there is no such user
        }

        if (await RecallAsync("u:" + id, SlackJsonContext.Default.SlackUser, cancellationToken) is { } shared)
        {
            return shared;
        }

        try
        {
            var info = await _slack.CallAsync(new SlackCall("users.info", Args(("user", id)), _slack.Tokens.Default), SlackJsonContext.Default.UserInfoResponse, cancellationToken);
            if (info.User is { } user)
            {
                Remember(user);
                return user;
            }
        }
        catch (ConnectorException ex) when (ex.Code == ErrorCodes.NotFound)
        {
        }

        Set<SlackUser?>("u:" + id, null);
        return null;
    }

    /// <summary>A name already known, without asking Slack (for lists where a lookup per row would cost too much).</summary>
    public SlackUser? KnownUser(string id) => _cache.TryGetValue("u:" + id, out SlackUser? user) ? user : null;

    private async Task<SlackUser> UserByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var key = "u%" + email.ToLowerInvariant();
        if (await RecallAsync(key, SlackJsonContext.Default.SlackUser, cancellationToken) is { } cached)
        {
            return cached;
        }

        var info = await _slack.CallAsync(
            new SlackCall("users.lookupByEmail", Args(("email", email)), _slack.Tokens.Default), SlackJsonContext.Default.UserInfoResponse, cancellationToken);
        var user = info.User ?? throw ConnectorException.NotFound($"No Slack user has the email {email}.");
        Remember(user);
        return user;
    }

    /// <summary>The handles a person answers to: the account name and the display name.</summary>
    public static IEnumerable<string> Handles(SlackUser user)
    {
        if (user.Name is { Length: > 0 } name)
        {
            yield return name;
        }

        if (user.Profile?.DisplayName is { Length: > 0 } display && display != user.Name)
        {
            yield return display;
        }
    }

    /// <summary>How a person is shown: display name, else real name, else account name.</summary>
    public static string DisplayName(SlackUser user) =>
        user.Profile?.DisplayName is { Length: > 0 } display ? display
        : user.RealName is { Length: > 0 } real ? real
        : user.Name is { Length: > 0 } name ? name
        : user.Id;

    public static IReadOnlyDictionary<string, string?> Args(params (string Name, string? Value)[] arguments) =>
        arguments.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value);

    private MemoryCacheEntryOptions LocalEntry => new() { Size = 1, AbsoluteExpirationRelativeToNow = _ttl > TimeSpan.Zero ? _ttl : TimeSpan.FromMilliseconds(1) };

    private void Set<T>(string key, T value)
    {
        _cache.Set(key, value, LocalEntry);
        if (value is not null && _ttl > TimeSpan.Zero && SlackJsonContext.Default.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> type)
        {
            _shared?.Put(_sharedScope + key, value, type, _ttl);
        }
    }

    /// <summary>An entry from this process's cache, else from the other replicas' (then kept here for the rest of its lifetime).</summary>
    private async ValueTask<T?> RecallAsync<T>(string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (_cache.TryGetValue(key, out T? known) && known is not null)
        {
            return known;
        }

        if (_shared is null || await _shared.GetAsync(_sharedScope + key, type, cancellationToken) is not { } shared)
        {
            return null;
        }

        _cache.Set(key, shared, LocalEntry);
        return shared;
    }

    public void Dispose()
    {
        _cache.Dispose();
        _userWalk.Gate.Dispose();
        _channelWalk.Gate.Dispose();
    }
}
