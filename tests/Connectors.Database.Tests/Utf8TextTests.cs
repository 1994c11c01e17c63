namespace Connectors.Database.Tests;

public sealed class Utf8TextTests
{
    private static readonly string[] s_texts =
    [
        "", "plain", "with, comma", "with \"quotes\"", "pipe | and back\\slash", "line1\nline2\r\n", "tab\there\u0001ctl\u001f",
        "é ü 日本語 😀", "</script> & 'x'", "\u2028\u2029 \u007f", "ends with quote\"",
    ];

    [Theory]
    [InlineData(ResultBuilder.Json)]
    [InlineData(ResultBuilder.Csv)]
    [InlineData(ResultBuilder.Markdown)]
    public void Text_given_as_utf8_is_written_exactly_as_the_same_text_given_as_characters(string format)
    {
        Assert.Equal(Answer(format, (result, text) => result.WriteText(text)), Answer(format, (result, text) => result.WriteTextUtf8(Encoding.UTF8.GetBytes(text))));
    }

    [Theory]
    [InlineData(ResultBuilder.Json)]
    [InlineData(ResultBuilder.Csv)]
    [InlineData(ResultBuilder.Markdown)]
    public void Invalid_utf8_is_shown_with_replacement_characters_instead_of_failing(string format)
    {
        var result = new ResultBuilder(format, int.MaxValue);
        result.SetColumns([new ResultColumn("t", "text")]);
        result.BeginRow();
        result.WriteTextUtf8([(byte)'a', 0xC3, (byte)'b', 0xFF, (byte)'"']);
        Assert.True(result.EndRow());

        var text = result.Finish(Stop.End, Profile(), "LIMIT").Text;
        Assert.Contains("a\uFFFDb\uFFFD", text, StringComparison.Ordinal);
    }

    private static string Answer(string format, Action<ResultBuilder, string> write)
    {
        var result = new ResultBuilder(format, int.MaxValue);
        result.SetColumns([new ResultColumn("n", "integer"), new ResultColumn("t", "text")]);
        foreach (var text in s_texts)
        {
            result.BeginRow();
            result.WriteToken("1"u8, quoted: false);
            write(result, text);
            Assert.True(result.EndRow());
        }

        return result.Finish(Stop.End, Profile(), "LIMIT").Text;
    }

    private static DatabaseProfile Profile() => new("test", DatabaseProvider.Postgres, "", new ProfileTarget("", "", ""));
}
