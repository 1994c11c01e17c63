using Connectors.Slack;

return await SlackServer.Create().RunAsync(args);
