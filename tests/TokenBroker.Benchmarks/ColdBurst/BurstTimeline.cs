using System.Diagnostics;
using System.Globalization;

namespace TokenBroker.Benchmarks.ColdBurst;

/// <summary>
/// Where one burst's time went, in milliseconds from the callers' release: the lease holder's path (its flight's first
/// read, the lease won, the token in the table) and each waiting host's (its 409, its reads of the holder's row, the read
/// that found the token), beside the p99 of each host's callers. Taken from each host's <see cref="TableRequestLog"/>.
/// </summary>
/// <param name="HolderHost">The host whose lease insert won (0-based), or -1 if none did.</param>
/// <param name="HolderFirstReadMilliseconds">The holder's flight starts: its first table read sent.</param>
/// <param name="LeaseWonMilliseconds">The holder's lease insert answered 201.</param>
/// <param name="TokenLandedMilliseconds">The holder's token write answered: from then on a read finds the token.</param>
/// <param name="HolderP99Milliseconds">p99 of the holder's callers.</param>
/// <param name="Waiting">Each host that lost the lease.</param>
internal sealed record BurstTimeline(
    int HolderHost,
    double HolderFirstReadMilliseconds,
    double LeaseWonMilliseconds,
    double TokenLandedMilliseconds,
    double HolderP99Milliseconds,
    IReadOnlyList<WaitingHostTimeline> Waiting)
{
    public static BurstTimeline From(long released, IReadOnlyList<IReadOnlyList<TableRequest>> byHost, IReadOnlyList<double> hostP99)
    {
        double Ms(long timestamp) => Stopwatch.GetElapsedTime(released, timestamp).TotalMilliseconds;

        var holder = -1;
        for (var h = 0; h < byHost.Count; h++)
        {
            if (byHost[h].Any(r => r.Kind == TableRequestKind.Insert && r.Status is >= 200 and < 300))
            {
                holder = h;
            }
        }

        var waiting = new List<WaitingHostTimeline>();
        for (var h = 0; h < byHost.Count; h++)
        {
            if (h == holder)
            {
                continue;
            }

            var requests = byHost[h];
            var reads = requests.Where(r => r.Kind == TableRequestKind.Read).ToList();
            var conflict = requests.FirstOrDefault(r => r.Kind == TableRequestKind.Insert && r.Status == 409);
            var peerReads = reads.Skip(1).Select(r => new PeerRead(Ms(r.Sent), Stopwatch.GetElapsedTime(r.Sent, r.Answered).TotalMilliseconds, r.FoundToken)).ToList();
            var found = reads.Skip(1).FirstOrDefault(r => r.FoundToken);
            waiting.Add(new WaitingHostTimeline(
                h,
                reads.Count > 0 ? Ms(reads[0].Sent) : -1,
                reads.Count > 0 ? Ms(reads[0].Answered) : -1,
                conflict.Answered != 0 ? Ms(conflict.Answered) : -1,
                peerReads,
                found.Answered != 0 ? Ms(found.Answered) : -1,
                hostP99[h]));
        }

        var own = holder >= 0 ? byHost[holder] : [];
        var first = own.FirstOrDefault(r => r.Kind == TableRequestKind.Read);
        var won = own.FirstOrDefault(r => r.Kind == TableRequestKind.Insert && r.Status is >= 200 and < 300);
        var landed = own.FirstOrDefault(r => r.Kind == TableRequestKind.Upsert);
        return new BurstTimeline(
            holder,
            first.Sent != 0 ? Ms(first.Sent) : -1,
            won.Answered != 0 ? Ms(won.Answered) : -1,
            landed.Answered != 0 ? Ms(landed.Answered) : -1,
            holder >= 0 ? hostP99[holder] : -1,
            waiting);
    }

    /// <summary>One line per host, for the log.</summary>
    public IEnumerable<string> Describe()
    {
        yield return Invariant($"holder h{HolderHost}: flight's first read sent at {HolderFirstReadMilliseconds:N1}, lease won {LeaseWonMilliseconds:N1}, token in the table {TokenLandedMilliseconds:N1}, callers' p99 {HolderP99Milliseconds:N1} ms");
        foreach (var w in Waiting)
        {
            var reads = string.Join(", ", w.PeerReads.Select(r => Invariant($"{r.SentMilliseconds:N1}+{r.LatencyMilliseconds:N1}{(r.FoundToken ? " found" : string.Empty)}")));
            yield return Invariant($"waiting h{w.Host}: first read {w.FirstReadMilliseconds:N1}-{w.FirstReadAnsweredMilliseconds:N1}, {(w.ConflictMilliseconds < 0 ? "lease seen in it" : Invariant($"409 at {w.ConflictMilliseconds:N1}"))}, peer reads (sent+took) [{reads}], token seen {w.SeenMilliseconds:N1} ({w.SeenMilliseconds - TokenLandedMilliseconds:N1} after it landed), callers' p99 {w.P99Milliseconds:N1} ms");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <param name="Host">0-based.</param>
/// <param name="FirstReadMilliseconds">Its flight's first table read sent (a miss).</param>
/// <param name="FirstReadAnsweredMilliseconds">That read answered: with the holder's lease already in it, the host waits from here without an insert.</param>
/// <param name="ConflictMilliseconds">Its lease insert answered 409; -1 when its first read already showed the lease.</param>
/// <param name="PeerReads">Its reads of the holder's row while waiting.</param>
/// <param name="SeenMilliseconds">The read that found the token answered.</param>
/// <param name="P99Milliseconds">p99 of its callers.</param>
internal sealed record WaitingHostTimeline(int Host, double FirstReadMilliseconds, double FirstReadAnsweredMilliseconds, double ConflictMilliseconds, IReadOnlyList<PeerRead> PeerReads, double SeenMilliseconds, double P99Milliseconds);

/// <summary>One read of a waiting host: sent, how long it took, and whether the token was there.</summary>
internal sealed record PeerRead(double SentMilliseconds, double LatencyMilliseconds, bool FoundToken);
