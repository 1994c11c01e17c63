using Connectors.Database;

return await DatabaseServer.Create().RunAsync(args);
