using Connectors.Hosting.TestServer;

return await TestServer.Create().RunAsync(args);
