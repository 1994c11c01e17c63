using Connectors.Database.Tools;

namespace Connectors.Database.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ResourcesAndPromptsTests(DatabaseCluster cluster)
{
    [Fact]
    public async Task Table_schemas_are_resources_under_a_template()
    {
        var mcp = await cluster.SharedServerAsync();
        var templates = await mcp.Client.ListResourceTemplatesAsync();
        Assert.Contains(templates, t => t.UriTemplate == DatabaseResources.TableTemplate);

        var resource = await mcp.Client.ReadResourceAsync("postgres://default/public/accounts");
        var text = Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text;
        Assert.StartsWith("public.accounts (table, ~4 rows, ", text, StringComparison.Ordinal);
        Assert.Contains("Primary key:\n  accounts_pkey: PRIMARY KEY (id)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prompts_guide_discovery_and_ground_a_safe_query_in_the_real_columns()
    {
        var mcp = await cluster.SharedServerAsync();
        var explore = await mcp.Client.GetPromptAsync("explore_database", new Dictionary<string, object?> { ["question"] = "who spends most?" });
        var exploreText = Assert.IsType<TextContentBlock>(Assert.Single(explore.Messages).Content).Text;
        Assert.Contains("list_schemas (database=\"default\")", exploreText, StringComparison.Ordinal);
        Assert.Contains("Answer: who spends most?", exploreText, StringComparison.Ordinal);

        var safe = await mcp.Client.GetPromptAsync("write_safe_query", new Dictionary<string, object?> { ["table"] = "orders", ["goal"] = "top customers by total" });
        var safeText = Assert.IsType<TextContentBlock>(Assert.Single(safe.Messages).Content).Text;
        Assert.Contains("  account_id integer NOT NULL\n", safeText, StringComparison.Ordinal);
        Assert.Contains("LIMIT (at most 500 rows)", safeText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_schema_and_table_names_are_completed()
    {
        var mcp = await cluster.SharedServerAsync();
        var prompt = new PromptReference { Name = "write_safe_query" };
        Assert.Equal(["default"], (await mcp.Client.CompleteAsync(prompt, "database", "d")).Completion.Values);
        Assert.Equal(["sales"], (await mcp.Client.CompleteAsync(prompt, "schema", "sa")).Completion.Values);
        Assert.Equal(["orders"], (await mcp.Client.CompleteAsync(prompt, "table", "or")).Completion.Values);

        var inSales = await mcp.Client.CompleteAsync(new CompleteRequestParams
        {
            Ref = new ResourceTemplateReference { Uri = DatabaseResources.TableTemplate },
            Argument = new Argument { Name = "table", Value = "" },
            Context = new CompleteContext { Arguments = new Dictionary<string, string> { ["profile"] = "default", ["schema"] = "sales" } },
        });
        Assert.Equal(["big_accounts"], inSales.Completion.Values);
        Assert.Empty((await mcp.Client.CompleteAsync(prompt, "table", "zzz")).Completion.Values);
    }
}
