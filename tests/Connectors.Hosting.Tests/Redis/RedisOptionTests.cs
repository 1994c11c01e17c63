using Connectors.Hosting.Configuration;
using Connectors.Hosting.Redis;

namespace Connectors.Hosting.Tests.Redis;

public sealed class RedisOptionTests
{
    private static ConnectorSettings Resolve(string[] args, Dictionary<string, string>? env = null) => ConfigurationTests.Resolve(args, env);

    [Fact]
    public void Unset_means_no_shared_store()
    {
        var settings = Resolve([]);
        Assert.Equal("", settings.Get(RedisOptions.Connection));
        Assert.Equal("default", settings.Get(RedisOptions.Namespace));
    }

    [Fact]
    public void A_connection_without_a_password_may_be_given_on_the_command_line()
    {
        var settings = Resolve(["--redis", "redis.internal:6379"]);
        settings.RefuseSecretsOnCommandLine();
        Assert.Equal("redis.internal:6379", settings.Get(RedisOptions.Connection));
        Assert.Empty(settings.SecretValues());
    }

    [Fact]
    public void A_connection_with_a_password_on_the_command_line_is_refused_without_repeating_it()
    {
        var settings = Resolve(["--redis", "redis.internal:6379,password=Sw0rdfish-redis"]);
        var error = Assert.Throws<ConnectorConfigurationException>(settings.RefuseSecretsOnCommandLine);
        Assert.Contains("--redis was given on the command line", error.Message, StringComparison.Ordinal);
        Assert.Contains("CONNECTORS_REDIS_FILE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sw0rdfish", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_with_a_password_is_read_from_the_file_the_environment_names_and_its_password_is_redacted()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "redis.internal:6380,password=Sw0rdfish-redis,ssl=true\n");
        var settings = Resolve([], new() { ["CONNECTORS_REDIS_FILE"] = file });
        File.Delete(file);
        settings.RefuseSecretsOnCommandLine();
        Assert.Equal("redis.internal:6380,password=Sw0rdfish-redis,ssl=true", settings.Get(RedisOptions.Connection));
        Assert.Equal(["Sw0rdfish-redis"], settings.SecretValues());
    }

    [Theory]
    [InlineData("--redis", "", "no host:port given")]
    [InlineData("--redis", "localhost:6379,connectTimeout=soon", "connectTimeout")]
    [InlineData("--redis-namespace", "team a", "letters, digits")]
    public void Malformed_values_stop_the_server_with_the_reason(string option, string value, string reason)
    {
        var args = value.Length == 0 ? new[] { option, "," } : [option, value];
        var error = Assert.Throws<ConnectorConfigurationException>(() => Resolve(args));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
