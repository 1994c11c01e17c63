namespace Connectors.Database.Tests;

public sealed class DateTextTests
{
    [Fact]
    public void Dates_and_timestamps_read_as_the_iso_format_strings_would_write_them()
    {
        var random = new Random(20261121);
        var values = new List<DateTime>
        {
            DateTime.MinValue, DateTime.MaxValue, new(2024, 2, 29, 13, 14, 15), new(1, 1, 1, 0, 0, 0, 1), new(999, 12, 31, 23, 59, 59),
            new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(5_000_000), new DateTime(2024, 1, 1).AddTicks(10), new DateTime(2024, 1, 1).AddTicks(1_234_560),
        };
        for (var i = 0; i < 2_000; i++)
        {
            // Whole microseconds, as PostgreSQL stores them, in both kinds.
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks) / 10 * 10;
            values.Add(new DateTime(ticks, i % 2 == 0 ? DateTimeKind.Utc : DateTimeKind.Unspecified));
        }

        var result = new ResultBuilder(ResultBuilder.Csv, int.MaxValue);
        result.SetColumns([new ResultColumn("date", "date"), new ResultColumn("timestamp", "timestamp")]);
        var expected = new List<string> { "date,timestamp" };
        foreach (var value in values)
        {
            var utc = value.Kind == DateTimeKind.Utc;
            result.BeginRow();
            PostgresValues.WriteDate(result, value, withTime: false, utc: false);
            PostgresValues.WriteDate(result, value, withTime: true, utc: utc);
            Assert.True(result.EndRow());
            expected.Add(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "," +
                value.ToString(utc ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));
        }

        var profile = new DatabaseProfile("test", DatabaseProvider.Postgres, "", new ProfileTarget("", "", ""));
        Assert.Equal(string.Join('\n', expected) + "\n", result.Finish(Stop.End, profile, "LIMIT").Text);
    }
}
