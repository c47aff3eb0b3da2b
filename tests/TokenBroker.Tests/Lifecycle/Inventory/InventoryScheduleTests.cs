using Microsoft.Extensions.Time.Testing;
using TokenBroker.Connections;
using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Tests.Lifecycle.Inventory;

public sealed class InventoryScheduleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly TimeSpan Schedule = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Never_read_connections_come_first_then_the_oldest_rows_and_young_rows_are_not_due()
    {
        var connections = InventoryTestConnections.Registry(4).All.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var takenOn = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal)
        {
            [InventorySchedule.RowKey(connections[0])] = Now - TimeSpan.FromMinutes(59.5),
            [InventorySchedule.RowKey(connections[1])] = Now - TimeSpan.FromMinutes(75),
            [InventorySchedule.RowKey(connections[3])] = Now - TimeSpan.FromMinutes(30),
        };

        var due = InventorySchedule.Due(connections, takenOn, Now, Interval, Schedule);

        // c2 was never read; c1 is past the interval; c0 turns an hour old before the next run (a minute on), so it is read now.
        Assert.Equal([connections[2].Name, connections[1].Name, connections[0].Name], due.Select(c => c.Name));
    }

    [Fact]
    public void A_new_connection_is_due_on_the_next_run_even_when_every_other_row_is_young()
    {
        var connections = InventoryTestConnections.Registry(3).All.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var takenOn = connections.Take(2).ToDictionary(InventorySchedule.RowKey, _ => Now - TimeSpan.FromMinutes(1), StringComparer.Ordinal);

        Assert.Equal([connections[2].Name], InventorySchedule.Due(connections, takenOn, Now, Interval, Schedule).Select(c => c.Name));
        Assert.Equal(Now, InventorySchedule.NextDue(connections, takenOn, Now, Interval, Schedule));
    }

    [Fact]
    public void When_nothing_is_due_the_next_slice_is_due_when_the_oldest_row_turns_the_interval_less_the_schedule_old()
    {
        var connections = InventoryTestConnections.Registry(2).All.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
        var takenOn = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal)
        {
            [InventorySchedule.RowKey(connections[0])] = Now - TimeSpan.FromMinutes(10),
            [InventorySchedule.RowKey(connections[1])] = Now - TimeSpan.FromMinutes(20),
        };

        Assert.Empty(InventorySchedule.Due(connections, takenOn, Now, Interval, Schedule));
        Assert.Equal(Now + TimeSpan.FromMinutes(39), InventorySchedule.NextDue(connections, takenOn, Now, Interval, Schedule));
    }

    [Fact]
    public void With_a_few_hundred_reads_per_run_ten_thousand_connections_are_all_read_and_then_no_row_is_ever_older_than_the_interval()
    {
        // What the runner does each minute, with the table as a dictionary: the due rows, oldest first, up to what one
        // run may read (the default MaxReadsPerRun), each taken at the run's time.
        var connections = InventoryTestConnections.Registry(10_000).All.ToArray();
        var takenOn = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var perRun = new InventoryOptions().MaxReadsPerRun;
        var firstPassRuns = 0;
        for (var run = 0; run < 3 * 60; run++)
        {
            var due = InventorySchedule.Due(connections, takenOn, Now, Interval, Schedule);
            foreach (var connection in due.Take(perRun))
            {
                takenOn[InventorySchedule.RowKey(connection)] = Now;
            }

            if (takenOn.Count < connections.Length)
            {
                firstPassRuns++;
            }
            else
            {
                var oldest = takenOn.Values.Min();
                Assert.True(Now - oldest <= Interval, $"a row is {Now - oldest} old at {Now:t}");
            }

            _time.Advance(Schedule);
        }

        // 500 a run: the first pass takes 20 runs (the last of them completes it).
        Assert.Equal(10_000 / perRun - 1, firstPassRuns);
    }
}
