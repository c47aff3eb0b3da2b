using TokenBroker.Refresh;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>The shortest time between two refresh runs on <c>TokenBroker:Refresh:Schedule</c>: what the inventory's budget is measured against.</summary>
internal static class RefreshPeriod
{
    // A day of occurrences from a fixed instant covers every NCRONTAB pattern that repeats daily or more often.
    private static readonly DateTimeOffset From = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The shortest gap between runs, or null when <paramref name="schedule"/> does not parse (its own validator reports that).</summary>
    public static TimeSpan? Of(string? schedule)
    {
        if (!RefreshSchedule.TryParse(schedule, out var parsed))
        {
            return null;
        }

        var shortest = TimeSpan.MaxValue;
        var previous = parsed.Next(From);
        for (var i = 0; i < 1440 && previous - From < TimeSpan.FromDays(1); i++)
        {
            var next = parsed.Next(previous);
            shortest = next - previous < shortest ? next - previous : shortest;
            previous = next;
        }

        return shortest;
    }
}
