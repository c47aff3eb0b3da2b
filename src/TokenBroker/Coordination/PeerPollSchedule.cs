namespace TokenBroker.Coordination;

/// <summary>
/// When an instance that lost a lease reads the table for the holder's token: first when the holder's fetch should have
/// landed (<see cref="FetchLatency"/>), then after gaps of half the time waited so far, so a token is seen within about a
/// third of the wait it took to land while a slow holder costs only a few reads. Gaps stay between <see cref="ShortestGap"/>
/// and the longest gap; at most <c>limit</c> reads are made, the last one at the end of the wait. The reads are counted
/// from when the holder's fetch started, where that is known to have been earlier than the start of this wait.
/// </summary>
internal sealed class PeerPollSchedule
{
    /// <summary>About one table round trip: reading more often would only queue reads behind each other.</summary>
    public static readonly TimeSpan ShortestGap = TimeSpan.FromMilliseconds(5);

    private const double Growth = 0.5;

    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly TimeSpan? _expected;
    private readonly TimeSpan _longestGap;
    private readonly int _limit;
    private readonly TimeSpan _wait;
    private readonly TimeSpan _head;
    private TimeSpan _last;

    /// <param name="clock">The clock the reads are scheduled on.</param>
    /// <param name="expected">When the holder's token should land, counted from the holder's start (<paramref name="holderHeadStart"/> before now); null when nothing is known.</param>
    /// <param name="longestGap">The longest time between two reads (TokenBroker:Coordination:PeerPollInterval).</param>
    /// <param name="limit">The most reads of one wait (TokenBroker:Coordination:PeerReadLimit).</param>
    /// <param name="wait">How long the wait may last (TokenBroker:Refresh:PeerWait), from the start of this wait.</param>
    /// <param name="holderHeadStart">
    /// How long before this wait the holder's fetch started (what its lease row says), so <paramref name="expected"/> is
    /// counted from there; zero when this instance learned of the lease by losing the race for it (the holder's fetch
    /// starts then). Kept within the wait.
    /// </param>
    public PeerPollSchedule(TimeProvider clock, TimeSpan? expected, TimeSpan longestGap, int limit, TimeSpan wait, TimeSpan holderHeadStart = default)
    {
        _clock = clock;
        _started = clock.GetTimestamp();
        _expected = expected;
        _longestGap = longestGap < ShortestGap ? ShortestGap : longestGap;
        _limit = limit;
        _head = holderHeadStart < TimeSpan.Zero || wait <= TimeSpan.Zero ? TimeSpan.Zero : holderHeadStart > wait ? wait : holderHeadStart;

        // The wait keeps its whole length from here: the head start only moves the reads earlier, never the deadline.
        _wait = wait + _head;
    }

    /// <summary>Reads made so far.</summary>
    public int Reads { get; private set; }

    /// <summary>When read number <paramref name="reads"/> + 1 is due, counted from the start of the wait.</summary>
    public static TimeSpan NextRead(int reads, TimeSpan previous, TimeSpan? expected, TimeSpan longestGap, int limit, TimeSpan wait)
    {
        if (reads + 1 >= limit && reads > 0)
        {
            // The last read allowed: spent at the deadline, so a slow holder still gets the whole wait before this
            // instance fetches for itself.
            return wait;
        }

        var next = reads == 0
            ? Clamp(expected ?? ShortestGap, ShortestGap, wait)
            : previous + Clamp(previous * Growth, ShortestGap, longestGap);
        return next < wait ? next : wait;
    }

    /// <summary>Waits until the next read is due; false when the wait is over (its reads spent, or its time up).</summary>
    public async ValueTask<bool> WaitForNextReadAsync(CancellationToken cancellationToken)
    {
        if (Reads >= _limit || (Reads > 0 && _last >= _wait) || _wait <= TimeSpan.Zero)
        {
            return false;
        }

        var due = NextRead(Reads, _last, _expected, _longestGap, _limit, _wait);
        var elapsed = _head + _clock.GetElapsedTime(_started);
        var delay = due - elapsed;
        if (delay > TimeSpan.Zero)
        {
            // Resumed on the timer's thread: nothing here needs the caller's context.
            await Task.Delay(delay, _clock, cancellationToken).ConfigureAwait(false);
        }

        // A first read already overdue when the wait began (the holder started long ago) backs off from now, not from
        // when it was due, or the next few would follow it back to back.
        _last = Reads == 0 && elapsed > due ? elapsed : due;
        Reads++;
        return true;
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
