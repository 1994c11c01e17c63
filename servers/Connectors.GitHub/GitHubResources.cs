using System.Text;
using Connectors.GitHub.Api;
using Connectors.Hosting.Sanitization;
using ModelContextProtocol;

namespace Connectors.GitHub;

/// <summary>Repository files as resources: <c>github://{owner}/{repo}/{path}</c> at the default branch.</summary>
[McpServerResourceType]
internal sealed class GitHubResources(GitHubClient client)
{
    [McpServerResource(UriTemplate = GitHubCompletions.FileTemplate, Name = "github_file", Title = "File in a GitHub repository")]
    [Description("A file of a GitHub repository at its default branch, as text (binary files as a blob).")]
    public async Task<ResourceContents> ReadFile(
        [Description("Owner (user or organisation).")] string owner,
        [Description("Repository name.")] string repo,
        [Description("Path of the file in the repository.")] string path,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var url = $"{GitHubGuard.Repo($"{owner}/{repo}")}/contents/{GitHubGuard.FilePath(Uri.UnescapeDataString(path))}";
            var file = (await client.GetAsync(url, GitHubJson.Default.GitHubContent, $"'{path}' in {owner}/{repo}", cancellationToken)).Value;
            var uri = $"github://{owner}/{repo}/{path}";
            if (file.Type != "file" || file.Content is null)
            {
                throw ConnectorException.InvalidArgument("uri", "not a file small enough for the contents API; use get_file_contents.");
            }

            var bytes = Convert.FromBase64String(file.Content.Replace("\n", "", StringComparison.Ordinal));
            return bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0)
                ? BlobResourceContents.FromBytes(bytes, uri, "application/octet-stream")
                : new TextResourceContents { Uri = uri, MimeType = "text/plain", Text = UntrustedText.Sanitize(Encoding.UTF8.GetString(bytes)).Text };
        }
        catch (ConnectorException e)
        {
            throw new McpProtocolException(e.Message, e.Code == ErrorCodes.NotFound ? McpErrorCode.ResourceNotFound : McpErrorCode.InvalidParams);
        }
    }
}
