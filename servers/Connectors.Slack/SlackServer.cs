using Connectors.Hosting;
using Connectors.Hosting.Configuration;
using Connectors.Hosting.Diagnostics;
using Connectors.Hosting.Redis;
using Connectors.Slack.Api;
using Connectors.Slack.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connectors.Slack;

/// <summary>The Slack server's definition: its options, its client and caches, its tools, prompts, resources and completions.</summary>
public static class SlackServer
{
    public static ConnectorServer Create()
    {
        var server = new ConnectorServer("connectors-slack", "Readable Slack conversations; posting only where allowed.")
        {
            Instructions = "Channels are named by ID (C0123ABCD) or #name; people by ID, @handle or email. Messages show an ISO time and Slack's ts: " +
                "pass the ts to get_thread_replies (and, when offered, reply_to_thread and add_reaction). get_channel_history takes a count or a window (\"1d\").",
            Options =
            {
                SlackOptions.BotToken, SlackOptions.UserToken, SlackOptions.ApiUrl, SlackOptions.AllowPostChannels,
                SlackOptions.CacheTtlSeconds, SlackOptions.CacheSize,
            },
        };

        server.ConfigureServices((services, settings) =>
        {
            var tokens = new SlackTokens(settings.Get(SlackOptions.BotToken), settings.Get(SlackOptions.UserToken));
            if (!tokens.HasBot && !tokens.HasUser)
            {
                throw new ConnectorConfigurationException(
                    "No Slack token: set SLACK_BOT_TOKEN (xoxb-…, or SLACK_BOT_TOKEN_FILE) and/or SLACK_USER_TOKEN (xoxp-…, enables search).");
            }

            var postChannels = settings.Get(SlackOptions.AllowPostChannels);
            if (SlackOptions.CheckPostChannels(postChannels) is { } problem)
            {
                throw new ConnectorConfigurationException(problem);
            }

            var apiUrl = settings.Get(SlackOptions.ApiUrl);
            var toolTimeout = TimeSpan.FromSeconds(settings.Get(CommonOptions.ToolTimeoutSeconds));
            services.AddSingleton(tokens);
            services.AddSingleton(sp => new SlackRateLimits(sp.GetRequiredService<TimeProvider>(), TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(20).Ticks, toolTimeout.Ticks / 2))));
            SlackApiClient.AddHttpClient(services, server.Version, toolTimeout);
            services.AddSingleton(sp => new SlackApiClient(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(SlackApiClient.Upstream), new Uri(apiUrl.EndsWith('/') ? apiUrl : apiUrl + "/"), tokens,
                sp.GetRequiredService<SlackRateLimits>(), toolTimeout, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SlackApiClient>>()));
            // Replicas share only what the same token (so the same workspace and visibility) was told.
            services.AddSingleton(sp => new SlackDirectory(
                sp.GetRequiredService<SlackApiClient>(), settings.Get(SlackOptions.CacheSize), TimeSpan.FromSeconds(settings.Get(SlackOptions.CacheTtlSeconds)),
                sp.GetService<SharedCache>(), $"{apiUrl}\n{tokens.Value(tokens.Default)}\n"));
            services.AddSingleton<MessageRenderer>();
            services.AddSingleton(sp => new SlackGuard(sp.GetRequiredService<SlackDirectory>(), sp.GetRequiredService<TimeProvider>(), postChannels));
            services.AddIdempotencyCache();
            // Untagged: auth.test costs Slack quota, so only doctor runs these.
            var checks = services.AddHealthChecks();
            foreach (var kind in tokens.Configured)
            {
                checks.AddAsyncCheck($"slack {SlackTokens.Describe(kind)}", (sp, ct) =>
                    SlackDoctor.CheckAsync(sp.GetRequiredService<SlackApiClient>(), kind, postChannels.Count > 0, ct));
            }
        });
        server.ConfigureMcp((mcp, settings) =>
        {
            var tools = TypedResults.SerializerOptions(SlackResultsJson.Default);
            mcp.WithCompactTools<ConversationTools>(tools).WithCompactTools<UserTools>(tools).WithPrompts<SlackPrompts>()
                .WithResources<SlackResources>().WithListResourcesHandler(SlackResources.ListAsync).WithCompleteHandler(SlackCompletions.CompleteAsync);
            if (settings.Get(SlackOptions.UserToken).Length > 0)
            {
                mcp.WithCompactTools<SearchTools>(tools);
            }

            if (settings.Get(SlackOptions.AllowPostChannels).Count > 0)
            {
                mcp.WithCompactTools<PostingTools>(tools);
            }
        });
        return server;
    }
}
