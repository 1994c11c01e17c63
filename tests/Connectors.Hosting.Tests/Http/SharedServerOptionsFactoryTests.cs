using System.Reflection;
using Connectors.Hosting.Http;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Connectors.Hosting.Tests.Http;

public sealed class SharedServerOptionsFactoryTests
{
    [Fact]
    public void The_configure_steps_run_once_and_each_request_gets_its_own_options_sharing_what_they_built()
    {
        var runs = 0;
        var factory = new SharedServerOptionsFactory(
            [new ConfigureOptions<McpServerOptions>(o => { runs++; o.ToolCollection = []; o.ServerInstructions = "built"; })], [], []);

        var first = factory.Create(Options.DefaultName);
        var second = factory.Create(Options.DefaultName);
        first.ScopeRequests = false;

        Assert.Equal(1, runs);
        Assert.NotSame(first, second);
        Assert.Same(first.ToolCollection, second.ToolCollection);
        Assert.Equal("built", second.ServerInstructions);
        Assert.True(second.ScopeRequests);
    }

    [Fact]
    public void The_copy_carries_every_settable_property_of_the_sdk_options()
    {
        // Set every property to something other than its default; a property the SDK adds and the copy forgets fails here.
        var built = new McpServerOptions();
        var fresh = new McpServerOptions();
        var properties = typeof(McpServerOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p is { CanRead: true, CanWrite: true }).ToList();
        foreach (var property in properties)
        {
            property.SetValue(built, Different(property, property.GetValue(fresh)));
        }

        var copy = SharedServerOptionsFactory.CopyOf(built);

        Assert.All(properties, property => Assert.True(Equals(property.GetValue(built), property.GetValue(copy)), $"McpServerOptions.{property.Name} is not copied"));
    }

    private static object Different(PropertyInfo property, object? current)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(string) => "a value",
            _ when type == typeof(bool) => !(bool)(current ?? false),
            _ when type == typeof(int) => (int)(current ?? 0) + 7,
            _ when type == typeof(TimeSpan) => (TimeSpan)(current ?? TimeSpan.Zero) + TimeSpan.FromSeconds(7),
            _ when type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) =>
                Activator.CreateInstance(typeof(List<>).MakeGenericType(type.GetGenericArguments()))!,
            // Collections take an optional comparer; null is its default.
            _ => type.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault(c => c.GetParameters().All(p => p.IsOptional)) is { } constructor
                ? constructor.Invoke(new object?[constructor.GetParameters().Length])
                : throw new InvalidOperationException($"No value for McpServerOptions.{property.Name} ({type})"),
        };
    }
}
