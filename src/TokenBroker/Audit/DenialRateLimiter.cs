using TokenBroker.Access;

namespace TokenBroker.Audit;

/// <summary>
/// A fixed window per caller: the first <c>limit</c> denials of a window are recorded, the rest counted and summed in one
/// record when the window ends. System.Threading.RateLimiting has no clock to inject and does not report what it refused,
/// and both matter here. At most <c>maxCallers</c> callers are tracked; beyond that, new callers share one window.
/// </summary>
internal sealed class DenialRateLimiter(int limit, TimeSpan window, int maxCallers)
{
    private const string SharedKey = "*";

    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Whether to record this denial; <paramref name="summary"/> is the previous window's, when it suppressed some.</summary>
    public bool TryAcquire(string key, Caller? caller, DateTimeOffset now, out AuditRecord? summary)
    {
        summary = null;
        lock (_gate)
        {
            if (!_windows.TryGetValue(key, out var current))
            {
                if (_windows.Count >= maxCallers && !_windows.TryGetValue(key = SharedKey, out current))
                {
                    caller = null;
                }

                if (current is null)
                {
                    _windows[key] = current = new Window(key, caller, now);
                }
            }

            if (now >= current.Start + window)
            {
                summary = current.Summary(now);
                current.Restart(now);
            }

            if (current.Recorded < limit)
            {
                current.Recorded++;
                return true;
            }

            current.Suppressed++;
            return false;
        }
    }

    /// <summary>Summaries of every ended window that suppressed something; forgets ended windows so the map stays small.</summary>
    public IReadOnlyList<AuditRecord> Flush(DateTimeOffset now, bool all = false)
    {
        var summaries = new List<AuditRecord>();
        lock (_gate)
        {
            foreach (var (key, current) in _windows)
            {
                if (all || now >= current.Start + window)
                {
                    if (current.Summary(now) is { } summary)
                    {
                        summaries.Add(summary);
                    }

                    _windows.Remove(key);
                }
            }
        }

        return summaries;
    }

    private sealed class Window(string key, Caller? caller, DateTimeOffset start)
    {
        // Who the summary is about when no caller identity exists: the requests without valid credentials, or every
        // caller beyond the tracked number.
        private readonly string? _group = key == SharedKey ? "untracked_callers" : caller is null ? "unauthenticated" : null;

        public Caller? Caller { get; } = caller;

        public DateTimeOffset Start { get; private set; } = start;

        public int Recorded { get; set; }

        public long Suppressed { get; set; }

        public AuditRecord? Summary(DateTimeOffset now) => Suppressed == 0
            ? null
            : new AuditRecord(AuditEvent.DenialsSuppressed, now, Caller, null, null, _group, Count: Suppressed, Since: Start);

        public void Restart(DateTimeOffset now)
        {
            Start = now;
            Recorded = 0;
            Suppressed = 0;
        }
    }
}
