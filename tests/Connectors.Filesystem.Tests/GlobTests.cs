namespace Connectors.Filesystem.Tests;

public sealed class GlobTests
{
    [Theory]
    [InlineData("*.cs", "a.cs", true)]
    [InlineData("*.cs", "src/a.cs", false)]
    [InlineData("**/*.cs", "a.cs", true)]
    [InlineData("**/*.cs", "src/deep/a.cs", true)]
    [InlineData("src/**", "src/a/b", true)]
    [InlineData("src/**/x.txt", "src/x.txt", true)]
    [InlineData("*.{cs,ts}", "a.ts", true)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file10.txt", false)]
    [InlineData("[!a]*.txt", "b.txt", true)]
    [InlineData("[!a]*.txt", "a.txt", false)]
    [InlineData("[a-c].md", "b.md", true)]
    [InlineData(".*", ".hidden", true)]
    [InlineData("a+b(c).txt", "a+b(c).txt", true)]
    public void Whole_path_globs_match_like_the_shell(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Glob.WholePath(pattern, "pattern").IsMatch(path));

    [Theory]
    [InlineData("node_modules", "web/node_modules/pkg/index.js", true)]
    [InlineData("node_modules", "node_modules_backup/x", false)]
    [InlineData("*.pem", "certs/server.pem", true)]
    [InlineData("*.pem", "certs/server.pem.txt", false)]
    [InlineData(".env*", "app/.env.local", true)]
    [InlineData(".env*", "app/my.env", false)]
    [InlineData(".git/config", "sub/repo/.git/config", true)]
    [InlineData(".git/config", "sub/.git/configs", false)]
    [InlineData("/build", "build/out.o", true)]
    [InlineData("/build", "src/build/out.o", false)]
    [InlineData("*.{log,tmp}", "a/b.tmp", true)]
    public void Filter_globs_match_names_at_any_depth_and_everything_below_a_match(string pattern, string path, bool expected)
    {
        var glob = Glob.Filter(pattern, "excludePatterns");
        Assert.Equal(expected, glob.IsMatch(path));
    }

    [Theory]
    [InlineData("*.{cs")]
    [InlineData("[z-a].txt")]
    public void A_malformed_glob_is_an_invalid_argument(string pattern)
    {
        var error = Assert.Throws<Connectors.Hosting.Errors.ConnectorException>(() => Glob.WholePath(pattern, "pattern"));
        Assert.Equal("invalid_argument", error.Code);
    }
}
