using System.Text.Json.Serialization;

namespace Connectors.Filesystem.Tools;

// The structured answers of the filesystem tools (their output schemas come from these types; names in camelCase).
// Cut answers say so in both forms: truncated, and nextOffset to pass back as offset.

public sealed record AllowedDirectories(IReadOnlyList<string> Directories);

public sealed record FileInfoResult(
    string Path, string Type, long Size, DateTimeOffset? Created, DateTimeOffset Modified, DateTimeOffset Accessed,
    bool IsDirectory, bool IsFile, bool SymbolicLink, string Permissions, int Links);

/// <summary>One entry of a listing: type is file, directory, symlink or other; link says where a symbolic link leads.</summary>
public sealed record DirectoryEntry(string Name, string Type, long? Size, string? Link);

public sealed record DirectoryListing(
    string Path, IReadOnlyList<DirectoryEntry> Entries, int Total, int Files, int Directories, long CombinedSize, bool Truncated, int? NextOffset);

/// <summary>A node of directory_tree; children only on directories, truncated on those whose contents were not listed.</summary>
public sealed class TreeNode(string name, string type)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<TreeNode>? Children { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Truncated { get; set; }
}

public sealed record DirectoryTreeResult(string Path, IReadOnlyList<TreeNode> Tree, int Entries, bool Truncated);

public sealed record FileSearchResult(string Path, string Pattern, IReadOnlyList<string> Matches, int Total, int Searched, bool Truncated, int? NextOffset);

public sealed record ContentLine(int Number, string Text, bool IsMatch);

public sealed record ContentHit(string Path, IReadOnlyList<ContentLine> Lines);

public sealed record ContentSearchResult(
    string Path, string Pattern, IReadOnlyList<ContentHit> Hits, int Total, int FilesSearched, int BinaryFilesSkipped, int LargeFilesSkipped,
    bool Truncated, int? NextOffset);
