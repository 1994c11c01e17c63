using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Connectors.Testing.GitHub;

// Pagination as GitHub does it: page and per_page, a Link header, search envelopes.
public sealed partial class GitHubEmulator
{
    private static (int Page, int PerPage) PageOf(HttpRequest request)
    {
        var page = int.TryParse(request.Query["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var perPage = int.TryParse(request.Query["per_page"], CultureInfo.InvariantCulture, out var pp) && pp > 0 ? Math.Min(pp, 100) : 30;
        return (page, perPage);
    }

    private Reply Paged(HttpRequest request, List<JsonNode> all)
    {
        var (items, link) = Slice(request, all);
        var reply = Reply.Ok(new JsonArray([.. items]));
        if (link is not null)
        {
            reply.Headers["Link"] = link;
        }

        return reply;
    }

    private Reply PagedEnvelope(HttpRequest request, string property, List<JsonNode> all, bool search = false)
    {
        var (items, link) = Slice(request, all);
        var json = new JsonObject { ["total_count"] = all.Count };
        if (search)
        {
            json["incomplete_results"] = false;
        }

        json[property] = new JsonArray([.. items]);
        var reply = Reply.Ok(json);
        if (link is not null)
        {
            reply.Headers["Link"] = link;
        }

        return reply;
    }

    private (List<JsonNode> Items, string? Link) Slice(HttpRequest request, List<JsonNode> all)
    {
        var (page, perPage) = PageOf(request);
        var items = all.Skip((page - 1) * perPage).Take(perPage).Select(n => n.DeepClone()).ToList();
        var last = Math.Max(1, (all.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string PageUrl(int number)
        {
            var query = request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={number}");
            return $"<{Url}{request.Path.Value!.TrimStart('/')}?{string.Join('&', query)}>";
        }

        if (page > 1)
        {
            links.Add($"{PageUrl(page - 1)}; rel=\"prev\"");
        }

        if (page < last)
        {
            links.Add($"{PageUrl(page + 1)}; rel=\"next\"");
            links.Add($"{PageUrl(last)}; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"{PageUrl(1)}; rel=\"first\"");
        }

        return (items, links.Count == 0 ? null : string.Join(", ", links));
    }
}
