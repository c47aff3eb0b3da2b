using TokenBroker.Refresh;

namespace TokenBroker.Tests.Refresh;

/// <summary>
/// The schedule forms of the Functions timer trigger, from
/// https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer: "A CRON expression includes six fields:
/// {second} {minute} {hour} {day} {month} {day-of-week}" (#cron-expressions), and a TimeSpan "format is hh:mm:ss when hh
/// is less than 24" (#timespan). "The default time zone used with the CRON expressions is Coordinated Universal Time".
/// </summary>
public sealed class RefreshScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static RefreshSchedule Parse(string value) =>
        RefreshSchedule.TryParse(value, out var schedule) ? schedule : throw new InvalidOperationException($"'{value}' did not parse.");

    [Fact]
    public void The_default_schedule_fires_at_the_top_of_every_minute_strictly_after_now()
    {
        var everyMinute = Parse("0 */1 * * * *");

        Assert.Equal(Noon.AddMinutes(1), everyMinute.Next(Noon.AddSeconds(30)));
        Assert.Equal(Noon.AddMinutes(1), everyMinute.Next(Noon));
        Assert.Equal(Noon.AddMinutes(2), everyMinute.Next(Noon.AddMinutes(1)));
    }

    [Fact]
    public void The_first_field_is_seconds()
    {
        Assert.Equal(Noon.AddSeconds(30), Parse("*/30 * * * * *").Next(Noon));
        Assert.Equal(Noon.AddMinutes(5), Parse("0 */5 * * * *").Next(Noon.AddSeconds(1)));
    }

    [Fact]
    public void Cron_instants_are_utc_whatever_the_offset_of_now()
    {
        var nineThirty = Parse("0 30 9 * * *");
        var tenInParis = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.FromHours(1));

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.Zero), nineThirty.Next(tenInParis));
    }

    [Theory]
    [InlineData("00:05:00", 300)]
    [InlineData("00:00:30", 30)]
    [InlineData("01:00:00", 3600)]
    public void A_timespan_schedule_fires_that_long_after_now(string value, int seconds)
    {
        Assert.Equal(Noon.AddSeconds(seconds), Parse(value).Next(Noon));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("00:00:00")]
    [InlineData("-00:05:00")]
    [InlineData("*/5 * * * *")]
    [InlineData("0 */5 * * * * *")]
    [InlineData("every minute")]
    [InlineData("0 61 * * * *")]
    public void A_value_that_is_neither_form_is_refused(string? value)
    {
        Assert.False(RefreshSchedule.TryParse(value, out var schedule));
        Assert.Null(schedule);
    }
}
