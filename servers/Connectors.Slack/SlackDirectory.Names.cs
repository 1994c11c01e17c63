using Connectors.Slack.Api;

namespace Connectors.Slack;

/// <summary>
/// Names for an answer that mentions many people or channels, at a bounded cost and without ever waiting on a rate limit:
/// a few unknown IDs are looked up one by one; more than a few fill the cache from the list method
/// (<c>users.list</c>, <c>conversations.list</c>, 200 per page, at most <see cref="NamePageBudget"/> pages per answer,
/// continuing where the previous answer stopped); then at most <see cref="NameLookupBudget"/> single lookups. Every call
/// goes out only if its tier's budget is free at that instant. What is still unknown is shown as the raw ID, and the
/// answer says the names will be there next time.
/// </summary>
internal sealed partial class SlackDirectory
{
    /// <summary>Up to this many unknown IDs cost one lookup each; more read the list instead.</summary>
    public const int FewNames = 3;

    /// <summary>List pages one answer may read for names (Tier 2 allows a burst of 5).</summary>
    public const int NamePageBudget = 3;

    /// <summary>Single lookups (<c>users.info</c>, <c>conversations.info</c>) one answer may make for names.</summary>
    public const int NameLookupBudget = 5;

    private readonly ListWalk _userWalk = new();
    private readonly ListWalk _channelWalk = new();

    /// <summary>Names of these people and channels: from the cache, else from Slack within the budgets above.</summary>
    public async Task<NameBook> NamesAsync(IReadOnlySet<string> userIds, IReadOnlySet<string> channelIds, CancellationToken cancellationToken)
    {
        var book = new NameBook();
        var missingUsers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in userIds)
        {
            if (!_cache.TryGetValue("u:" + id, out SlackUser? known))
            {
                missingUsers.Add(id);
            }
            else if (known is not null)
            {
                book.Users[id] = DisplayName(known);
            }
        }

        if (missingUsers.Count > FewNames)
        {
            await WalkAsync(_userWalk, missingUsers, (cursor, ct) => UserPageAsync(cursor, missingUsers, book, ct), cancellationToken);
        }

        await LookUpAsync(missingUsers, (id, ct) => UserIfFreeAsync(id, book, ct), cancellationToken);

        var missingChannels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in channelIds)
        {
            if (!_cache.TryGetValue("c:" + id, out SlackChannel? known) && !_cache.TryGetValue("c?" + id, out known))
            {
                missingChannels.Add(id);
            }
            else if (known?.Name is { } name)
            {
                book.Channels[id] = name;
            }
        }

        if (missingChannels.Count > FewNames)
        {
            await WalkAsync(_channelWalk, missingChannels, (cursor, ct) => ChannelPageAsync(cursor, missingChannels, book, ct), cancellationToken);
        }

        await LookUpAsync(missingChannels, (id, ct) => ChannelIfFreeAsync(id, book, ct), cancellationToken);
        book.Unresolved = missingUsers.Count + missingChannels.Count;
        return book;
    }

    /// <summary>Reads list pages from where the last walk stopped, while IDs are missing, budget and rate limit allow.</summary>
    private async Task WalkAsync(ListWalk walk, HashSet<string> missing, Func<string?, CancellationToken, Task<(bool Read, string? Next)>> readPage, CancellationToken cancellationToken)
    {
        // Another answer is walking this list right now: this one does not wait for it.
        if (!walk.Gate.Wait(0, CancellationToken.None))
        {
            return;
        }

        try
        {
            for (var page = 0; page < NamePageBudget && missing.Count > 0; page++)
            {
                if (walk.FinishedAt is { } finished)
                {
                    // The whole list was read within the TTL: what is missing is not in it (lookups may still find it).
                    if (DateTimeOffset.UtcNow - finished < _ttl)
                    {
                        return;
                    }

                    walk.FinishedAt = null;
                }

                var (read, next) = await readPage(walk.Cursor, cancellationToken);
                if (!read)
                {
                    return;
                }

                walk.Cursor = next;
                walk.FinishedAt = next is null ? DateTimeOffset.UtcNow : null;
            }
        }
        catch (ConnectorException ex) when (ex.Code is ErrorCodes.InvalidArgument or ErrorCodes.PermissionDenied)
        {
            // A cursor Slack no longer accepts, or a token without the list scope: names stay IDs, the read goes on.
            walk.Cursor = null;
            walk.FinishedAt = ex.Code == ErrorCodes.PermissionDenied ? DateTimeOffset.UtcNow : null;
        }
        catch (ConnectorException ex) when (ex.Code == ErrorCodes.UpstreamUnavailable)
        {
            // Slack is having trouble: the messages are already here, so the answer goes out with IDs.
        }
        finally
        {
            walk.Gate.Release();
        }
    }

    private static async Task LookUpAsync(HashSet<string> missing, Func<string, CancellationToken, Task<bool>> lookUpIfFree, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var id in missing.Take(NameLookupBudget).ToList())
            {
                if (!await lookUpIfFree(id, cancellationToken))
                {
                    return;
                }

                missing.Remove(id);
            }
        }
        catch (ConnectorException ex) when (ex.Code == ErrorCodes.UpstreamUnavailable)
        {
            // As for the walk: a name is not worth failing an answer whose messages are already here.
        }
    }

    private async Task<(bool, string?)> UserPageAsync(string? cursor, HashSet<string> missing, NameBook book, CancellationToken cancellationToken)
    {
        var list = await _slack.CallIfFreeAsync(
            new SlackCall("users.list", Args(("limit", ScanPageSize.ToString()), ("cursor", cursor)), _slack.Tokens.Default),
            SlackJsonContext.Default.UserListResponse, cancellationToken);
        foreach (var user in list?.Members ?? [])
        {
            Remember(user);
            if (missing.Remove(user.Id))
            {
                book.Users[user.Id] = DisplayName(user);
            }
        }

        return (list is not null, list?.NextCursor);
    }

    private async Task<(bool, string?)> ChannelPageAsync(string? cursor, HashSet<string> missing, NameBook book, CancellationToken cancellationToken)
    {
        var list = await _slack.CallIfFreeAsync(
            new SlackCall("conversations.list", Args(("types", "public_channel,private_channel"), ("limit", ScanPageSize.ToString()), ("cursor", cursor)), _slack.Tokens.Default),
            SlackJsonContext.Default.ConversationListResponse, cancellationToken);
        foreach (var channel in list?.Channels ?? [])
        {
            Remember(channel);
            if (missing.Remove(channel.Id) && channel.Name is { } name)
            {
                book.Channels[channel.Id] = name;
            }
        }

        return (list is not null, list?.NextCursor);
    }

    /// <summary>False when the rate limit has no budget free now; Slack not knowing the user counts as resolved (shown as its ID).</summary>
    private async Task<bool> UserIfFreeAsync(string id, NameBook book, CancellationToken cancellationToken)
    {
        try
        {
            var info = await _slack.CallIfFreeAsync(new SlackCall("users.info", Args(("user", id)), _slack.Tokens.Default), SlackJsonContext.Default.UserInfoResponse, cancellationToken);
            if (info is null)
            {
                return false;
            }

            if (info.User is { } user)
            {
                Remember(user);
                book.Users[id] = DisplayName(user);
                return true;
            }
        }
        catch (ConnectorException ex) when (ex.Code == ErrorCodes.NotFound)
        {
        }

        Set<SlackUser?>("u:" + id, null);
        return true;
    }

    private async Task<bool> ChannelIfFreeAsync(string id, NameBook book, CancellationToken cancellationToken)
    {
        try
        {
            var info = await _slack.CallIfFreeAsync(
                new SlackCall("conversations.info", Args(("channel", id)), _slack.Tokens.Default), SlackJsonContext.Default.ConversationInfoResponse, cancellationToken);
            if (info is null)
            {
                return false;
            }

            if (info.Channel is { } channel)
            {
                Remember(channel);
                if (channel.Name is { } name)
                {
                    book.Channels[id] = name;
                }

                return true;
            }
        }
        catch (ConnectorException ex) when (ex.Code is ErrorCodes.NotFound or ErrorCodes.PermissionDenied)
        {
        }

        Set<SlackChannel?>("c?" + id, null);
        return true;
    }

    /// <summary>Where the name walk through one list method stands, shared by all answers.</summary>
    private sealed class ListWalk
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? Cursor { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }
    }
}
