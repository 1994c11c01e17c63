using Connectors.GitHub;

return await GitHubServer.Create().RunAsync(args);
