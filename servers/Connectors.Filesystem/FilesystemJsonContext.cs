using System.Text.Json.Serialization;
using Connectors.Filesystem.Tools;

namespace Connectors.Filesystem;

/// <summary>
/// Source-generated JSON for the tools' argument types the SDK's own resolver lacks (<c>FileEdit[]</c> of edit_file:
/// without it the Native AOT server stops at start-up creating the write tools) and for their typed results. Names in
/// camelCase, as the SDK's. The tools are registered with <c>TypedResults.SerializerOptions(Default)</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(FileEdit[]))]
[JsonSerializable(typeof(AllowedDirectories))]
[JsonSerializable(typeof(FileInfoResult))]
[JsonSerializable(typeof(DirectoryListing))]
[JsonSerializable(typeof(DirectoryTreeResult))]
[JsonSerializable(typeof(List<TreeNode>))]
[JsonSerializable(typeof(FileSearchResult))]
[JsonSerializable(typeof(ContentSearchResult))]
internal sealed partial class FilesystemJsonContext : JsonSerializerContext;
