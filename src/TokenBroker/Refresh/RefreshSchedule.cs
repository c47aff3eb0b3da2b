using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace TokenBroker.Refresh;

/// <summary>
/// The refresh schedule in the two forms Azure Functions timers accept: six-field NCRONTAB (seconds first) or a TimeSpan.
/// The standalone host uses it to fire the same job at the same instants as the timer trigger.
/// </summary>
internal sealed class RefreshSchedule
{
    private readonly CronExpression? _cron;
    private readonly TimeSpan _interval;

    private RefreshSchedule(CronExpression? cron, TimeSpan interval)
    {
        _cron = cron;
        _interval = interval;
    }

    public static bool TryParse(string? value, [NotNullWhen(true)] out RefreshSchedule? schedule)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (!value.Contains(' ', StringComparison.Ordinal)
            && TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var interval)
            && interval > TimeSpan.Zero)
        {
            schedule = new RefreshSchedule(null, interval);
            return true;
        }

        if (CronExpression.TryParse(value, CronFormat.IncludeSeconds, out var cron))
        {
            schedule = new RefreshSchedule(cron, TimeSpan.Zero);
            return true;
        }

        return false;
    }

    /// <summary>The next run strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset now) =>
        _cron?.GetNextOccurrence(now, TimeZoneInfo.Utc) ?? now + _interval;
}
