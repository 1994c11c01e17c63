using Microsoft.Extensions.DependencyInjection;

namespace Connectors.Database.Tools;

/// <summary>Completes profile, schema and table names for the prompts and the table resource template.</summary>
internal static class DatabaseCompletions
{
    private const int MaxValues = 100;

    public static async ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var request = context.Params!;
        var services = context.Services!;
        var profiles = services.GetRequiredService<ProfileRegistry>();
        var providers = services.GetRequiredService<DatabaseProviders>();
        var known = new Dictionary<string, string>(request.Context?.Arguments ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var prefix = request.Argument.Value ?? "";

        IEnumerable<string> candidates;
        try
        {
            candidates = request.Argument.Name switch
            {
                "profile" or "database" => profiles.All.Select(p => p.Name),
                "schema" => (await providers.Catalog(profiles.Get(Named(known)))
                    .SchemasAsync(profiles.Get(Named(known)), cancellationToken)).Select(s => s.Name),
                "table" => (await providers.Catalog(profiles.Get(Named(known)))
                    .TablesAsync(profiles.Get(Named(known)), known.GetValueOrDefault("schema"), cancellationToken)).Select(t => t.Name),
                _ => [],
            };
        }
        catch (ConnectorException)
        {
            // An unknown profile or an unreachable database simply has no suggestions.
            candidates = [];
        }

        var matches = candidates.Where(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.Ordinal).ToList();
        return new CompleteResult
        {
            Completion = new Completion { Values = [.. matches.Take(MaxValues)], Total = matches.Count, HasMore = matches.Count > MaxValues },
        };
    }

    private static string? Named(Dictionary<string, string> known) =>
        known.TryGetValue("profile", out var profile) ? profile : known.GetValueOrDefault("database");
}
