using System.Text;
using ModelContextProtocol;

namespace Connectors.Filesystem;

/// <summary>Files as MCP resources (<c>file:///{path}</c>), read through the same guard as the tools.</summary>
[McpServerResourceType]
public sealed class FileResources(PathGuard guard, FilesystemLimits limits)
{
    /// <summary>The template, as clients name it in <c>completion/complete</c>.</summary>
    public const string UriTemplate = "file://{+path}";

    public static string UriOf(string fullPath) => new Uri("file://" + fullPath).AbsoluteUri;

    [McpServerResource(UriTemplate = UriTemplate, Name = "file", Title = "File under an allowed directory")]
    [Description("A file under one of the allowed directories, by absolute path (file:///abs/path). Text files come back as text, others as a base64 blob; up to --max-read-bytes.")]
    public async Task<ResourceContents> ReadFileResource(
        [Description("Absolute path of the file.")] string path,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var decoded = Uri.UnescapeDataString(path);
            using var file = guard.OpenFile(guard.Resolve(decoded));
            if (file.Status.Size > limits.MaxReadBytes)
            {
                throw ConnectorException.InvalidArgument("uri",
                    $"the file is {file.Status.Size:N0} bytes, over this server's {limits.MaxReadBytes:N0}-byte read limit; use read_text_file with offset and limit.");
            }

            var bytes = new byte[file.Status.Size];
            var read = await RandomAccess.ReadAsync(file.Handle, bytes, 0, cancellationToken);
            var uri = UriOf(file.Real.FullPath);
            var mime = MediaTypes.Of(decoded);
            if (TextFiles.LooksBinary(bytes.AsSpan(0, Math.Min(read, TextFiles.BinarySniffBytes))))
            {
                return BlobResourceContents.FromBytes(bytes.AsMemory(0, read), uri, mime);
            }

            return new TextResourceContents
            {
                Uri = uri,
                MimeType = mime == "application/octet-stream" ? "text/plain" : mime,
                Text = Encoding.UTF8.GetString(bytes, 0, read),
            };
        }
        catch (ConnectorException e)
        {
            // Resource reads answer with JSON-RPC errors; keep the tool error's words and a fitting code.
            throw new McpProtocolException(e.Message, e.Code == ErrorCodes.NotFound ? McpErrorCode.ResourceNotFound : McpErrorCode.InvalidParams);
        }
    }
}
