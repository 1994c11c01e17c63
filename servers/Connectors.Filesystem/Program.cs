using Connectors.Filesystem;

return await FilesystemServer.Create().RunAsync(args);
