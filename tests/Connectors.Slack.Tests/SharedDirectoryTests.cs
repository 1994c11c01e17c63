using Connectors.Testing;
using Connectors.Testing.Slack;

namespace Connectors.Slack.Tests;

/// <summary>Two Slack server processes sharing one real Redis (--redis), as two replicas of one deployment.</summary>
[Trait("Category", "ServerProcess")]
public sealed class SharedDirectoryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_person_one_replica_looked_up_is_found_by_the_other_without_asking_Slack()
    {
        await using var emulator = await SlackEmulator.StartAsync();
        string[] args = ["--api-url", emulator.Url, "--log-level", "warning", "--redis", redis.ConnectionString, "--redis-namespace", "slack-replicas"];
        await using var first = await ServerProcess.ConnectStdioAsync(SlackFixture.Project, args, SlackFixture.Environment());
        await using var second = await ServerProcess.ConnectStdioAsync(SlackFixture.Project, args, SlackFixture.Environment());
        await using var store = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var entries = () => store.GetServers().Single().Keys(pattern: "connectors:slack-replicas:connectors-slack:cache:*").Count();

        var profile = await first.OkAsync("get_user_profile", ("user", "bob@example.com"));
        Assert.Equal(1, emulator.Calls("users.lookupByEmail"));
        // The first replica stores in the background (by ID, handles and email): wait until all have landed.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var landed = 0;
        while (landed == 0 || landed != entries())
        {
            Assert.True(DateTime.UtcNow < until, "the first replica's entries never reached Redis");
            landed = entries();
            await Task.Delay(300);
        }

        Assert.Equal(profile, await second.OkAsync("get_user_profile", ("user", "bob@example.com")));
        Assert.Equal(1, emulator.Calls("users.lookupByEmail"));
    }
}
