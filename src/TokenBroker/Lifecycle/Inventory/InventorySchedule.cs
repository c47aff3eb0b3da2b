using TokenBroker.Connections;

namespace TokenBroker.Lifecycle.Inventory;

/// <summary>
/// Which connections a refresh run inventories, and when the next run has any to read. A connection is due once its row
/// is <see cref="InventoryOptions.Interval"/> old less a lead (the refresh schedule's interval), so the run before it
/// would pass <c>Interval</c> reads it in time; never-read connections come first, then the oldest rows.
/// </summary>
internal static class InventorySchedule
{
    /// <summary>The due connections in the order to read them; <paramref name="takenOn"/> holds when each row (by row key) was taken.</summary>
    public static IReadOnlyList<Connection> Due(IEnumerable<Connection> connections, IReadOnlyDictionary<string, DateTimeOffset> takenOn, DateTimeOffset now, TimeSpan interval, TimeSpan lead)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(takenOn);
        var dueAfter = interval - Ahead(interval, lead);
        return connections
            .Select(connection => (Connection: connection, Taken: TakenOn(connection, takenOn)))
            .Where(row => row.Taken is not { } taken || now - taken >= dueAfter)
            .OrderBy(row => row.Taken ?? DateTimeOffset.MinValue)
            .ThenBy(row => row.Connection.Name, StringComparer.Ordinal)
            .Select(row => row.Connection)
            .ToList();
    }

    /// <summary>
    /// When the next connection falls due: <paramref name="now"/> when one is due already (or never read), else the
    /// earliest row's due time; one interval on when there is no connection at all.
    /// </summary>
    public static DateTimeOffset NextDue(IEnumerable<Connection> connections, IReadOnlyDictionary<string, DateTimeOffset> takenOn, DateTimeOffset now, TimeSpan interval, TimeSpan lead)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(takenOn);
        var dueAfter = interval - Ahead(interval, lead);
        var next = now + interval;
        foreach (var connection in connections)
        {
            if (TakenOn(connection, takenOn) is not { } taken || taken + dueAfter <= now)
            {
                return now;
            }

            next = taken + dueAfter < next ? taken + dueAfter : next;
        }

        return next;
    }

    /// <summary>The row key of a connection's inventory row.</summary>
    public static string RowKey(Connection connection) => connection.DefaultCacheKey.PartitionKey;

    private static DateTimeOffset? TakenOn(Connection connection, IReadOnlyDictionary<string, DateTimeOffset> takenOn) =>
        takenOn.TryGetValue(RowKey(connection), out var taken) ? taken : null;

    // A lead as long as the interval would make every connection due on every run: at most half of it.
    private static TimeSpan Ahead(TimeSpan interval, TimeSpan lead) => lead < interval / 2 ? lead : interval / 2;
}
