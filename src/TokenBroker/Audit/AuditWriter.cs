using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Access;
using TokenBroker.Caching;

namespace TokenBroker.Audit;

/// <summary>
/// Drains the <see cref="AuditTrail"/> into the <c>TokenBroker.Audit</c> log category, and every
/// <see cref="AuditOptions.SweepInterval"/> closes the counts of tokens that were replaced, expired or evicted, sums the
/// suppressed denials of ended windows and reports dropped records. When the host has stopped everything else (so no
/// request is still being served), it writes what is left and closes every count.
/// </summary>
internal sealed class AuditWriter(
    AuditTrail trail,
    MemoryTokenCache memory,
    ServingPolicy serving,
    TimeProvider time,
    IOptions<AuditOptions> options,
    ILoggerFactory loggers) : BackgroundService, IHostedLifecycleService
{
    private readonly ILogger _audit = loggers.CreateLogger(AuditEventNames.Category);
    private readonly Lock _writing = new();

    /// <summary>Looks at every open token once: closes those seen retired at the previous sweep, marks the newly retired.</summary>
    internal void Sweep(DateTimeOffset now)
    {
        foreach (var holders in trail.Open)
        {
            var present = memory.TryGet(holders.Key, now, out var entry);
            if (present && ReferenceEquals(entry!.Holders, holders))
            {
                continue;
            }

            // One sweep of grace: a request that took the entry just before it was replaced may still be counting.
            if (holders.RetiredOn is null)
            {
                holders.RetiredOn = now;
                holders.RetiredBecause = present ? "replaced" : !serving.IsServable(holders.Token, now) ? "expired" : "evicted";
                continue;
            }

            Close(holders, holders.RetiredBecause!, now);
        }

        foreach (var summary in trail.Limiter.Flush(now))
        {
            Write(summary);
        }

        ReportDropped(now);
    }

    /// <summary>Writes every queued record, closes every open count and sums every window: the instance is stopping.</summary>
    internal void Flush()
    {
        Drain();

        var now = time.GetUtcNow();
        foreach (var holders in trail.Open)
        {
            Close(holders, "shutdown", now);
        }

        foreach (var summary in trail.Limiter.Flush(now, all: true))
        {
            Write(summary);
        }

        ReportDropped(now);
    }

    /// <summary>Writes every queued record.</summary>
    internal void Drain()
    {
        while (trail.Reader.TryRead(out var record))
        {
            Write(record);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After every hosted service stopped, the web server included: no request can deliver a token any more.
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Written from here, never inside a request's activity: a trace sampler must not drop audit records with it.
        Activity.Current = null;
        await Task.Yield();
        var sweeping = SweepLoopAsync(stoppingToken);
        try
        {
            while (await trail.Reader.WaitToReadAsync(stoppingToken))
            {
                Drain();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StoppedAsync writes the rest.
        }

        await sweeping;
    }

    private async Task SweepLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Sweep(time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Close(TokenHolders holders, string reason, DateTimeOffset now)
    {
        trail.Forget(holders);
        foreach (var holder in holders.All)
        {
            if (holder.TryClose())
            {
                Write(new AuditRecord(AuditEvent.TokenReleased, now, holder.Caller, null, reason, null, holders, holder, holder.Deliveries));
            }
        }

        // A first delivery that raced with this close added a holder after the loop: keep the token open for it.
        if (holders.All.Any(holder => !holder.IsClosed))
        {
            trail.Reopen(holders);
        }
    }

    private void ReportDropped(DateTimeOffset now)
    {
        if (trail.TakeDropped() is > 0 and var dropped)
        {
            AuditLog.RecordsDropped(_audit, AuditEventNames.RecordsDropped, dropped, trail.Instance, Format(now));
        }
    }

    private void Write(in AuditRecord record)
    {
        // The drain, the sweep and the final flush never interleave their records: a count never precedes its first delivery.
        lock (_writing)
        {
            try
            {
                WriteCore(record);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A faulty logging provider must not stop the trail; the type alone, since a message could quote anything.
                AuditLog.WriteFailed(_audit, Name(record.Event), ex.GetType().Name);
            }
        }
    }

    private void WriteCore(in AuditRecord record)
    {
        // The composition keeps this category at Information for every provider; a host that filters it anyway pays nothing.
        if (!_audit.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var (appId, objectId, mode) = Identify(record);
        var at = Format(record.On);
        switch (record.Event)
        {
            case AuditEvent.TokenIssued:
                var expiresOn = Format(record.Holders!.Token.ExpiresOn);
                AuditLog.TokenIssued(
                    _audit, AuditEventNames.TokenIssued, appId, objectId, mode, record.Holders.Fingerprint, record.Connection ?? string.Empty,
                    record.Scope ?? string.Empty, expiresOn, record.Holder!.Tier, trail.Instance, at);
                break;
            case AuditEvent.TokenReleased:
                var firstDelivered = Format(record.Holder!.FirstDelivered);
                AuditLog.TokenReleased(
                    _audit, AuditEventNames.TokenReleased, appId, objectId, mode, record.Holders!.Fingerprint, record.Holder.Connection,
                    record.Holder.Scope, record.Count, firstDelivered, record.Scope!, trail.Instance, at);
                break;
            case AuditEvent.TokenDenied or AuditEvent.TokenFailed:
                var name = Name(record.Event);
                AuditLog.TokenRefused(
                    _audit, name, appId, objectId, mode, record.Code!, record.Connection ?? string.Empty, record.Scope ?? string.Empty, trail.Instance, at);
                break;
            case AuditEvent.DenialsSuppressed:
                var since = Format(record.Since!.Value);
                AuditLog.DenialsSuppressed(_audit, AuditEventNames.DenialsSuppressed, appId, objectId, mode, record.Count, since, at, trail.Instance);
                break;
            case AuditEvent.OperatorAction:
                AuditLog.OperatorAction(
                    _audit, AuditEventNames.OperatorAction, appId, objectId, mode, record.Credential!, record.Scope!, record.Connection!, record.Code!, trail.Instance, at);
                break;
        }
    }

    private (string AppId, string ObjectId, string Mode) Identify(in AuditRecord record)
    {
        if (record.Caller is { } caller)
        {
            return (Redact(caller.AppId), Redact(caller.ObjectId), ModeName(caller.Mode));
        }

        // No identity: a request without valid credentials, the callers beyond the limiter's reach, or in-process code.
        var mode = record.Event switch
        {
            AuditEvent.TokenDenied when record.Code == AuditCodes.Unauthenticated => AuditCodes.Unauthenticated,
            AuditEvent.DenialsSuppressed when record.Code is not null => record.Code,
            AuditEvent.OperatorAction => record.Credential!,
            _ => "in_process",
        };
        return (string.Empty, string.Empty, mode);
    }

    private string Redact(string? id) => string.IsNullOrEmpty(id) ? string.Empty : trail.CallerRedactor.Redact(id);

    internal static string ModeName(CallerMode mode) => mode switch
    {
        CallerMode.Jwt => "jwt",
        CallerMode.EasyAuth => "easy_auth",
        CallerMode.FunctionKeyOnly => "function_key",
        _ => "development",
    };

    private static string Name(AuditEvent kind) => kind switch
    {
        AuditEvent.TokenIssued => AuditEventNames.TokenIssued,
        AuditEvent.TokenReleased => AuditEventNames.TokenReleased,
        AuditEvent.TokenDenied => AuditEventNames.TokenDenied,
        AuditEvent.TokenFailed => AuditEventNames.TokenFailed,
        AuditEvent.DenialsSuppressed => AuditEventNames.DenialsSuppressed,
        AuditEvent.OperatorAction => AuditEventNames.OperatorAction,
        _ => AuditEventNames.RecordsDropped,
    };

    private static string Format(DateTimeOffset instant) => instant.ToString("O", CultureInfo.InvariantCulture);
}
