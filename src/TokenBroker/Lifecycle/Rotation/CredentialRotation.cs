using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// Automatic rotation of Entra ID client secrets and certificates (<see cref="CertificateRotation"/>), as a state
/// machine persisted in the shared table (one row per connection, <see cref="RotationStore.Partition"/>). Each step reads the row, does its work and writes the next state
/// with If-Match; each is idempotent, so a runner stopped anywhere is resumed by another instance with no credential
/// left over. It runs at the end of the refresh run, on the one instance that runs it; a failing step stays where it is
/// with its error recorded, is tried again after a backoff, and never fails a caller or the refresh run.
/// </summary>
internal sealed partial class CredentialRotation
{
    private const int MaxParallelRotations = 8;

    // addPassword returns the value once; it lives here only between addPassword and the Key Vault write, keyed by
    // connection and rotation id. An instance that stops in between loses it, and the next step removes that credential.
    private readonly ConcurrentDictionary<string, string> _unstored = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _dueCheckedOn = new(StringComparer.Ordinal);
    private readonly RotationStore _store;
    private readonly AppRegistrationClient _graph;
    private readonly SecretClient _vault;
    private readonly CertificateRotation _certificates;
    private readonly ClientCredentialsClient _tokens;
    private readonly EvictionGenerations _generations;
    private readonly CredentialCache _credentials;
    private readonly ConnectionRegistry _connections;
    private readonly Func<Connection, CancellationToken, Task> _refresh;
    private readonly TimeProvider _time;
    private readonly RotationOptions _options;
    private readonly Counter<long> _steps;
    private readonly ILogger<CredentialRotation> _logger;

    public CredentialRotation(
        RotationStore store,
        AppRegistrationClient graph,
        SecretClient vault,
        CertificateRotation certificates,
        ClientCredentialsClient tokens,
        EvictionGenerations generations,
        CredentialCache credentials,
        ConnectionRegistry connections,
        Func<Connection, CancellationToken, Task> refresh,
        TimeProvider time,
        IOptions<RotationOptions> options,
        IMeterFactory meters,
        ILogger<CredentialRotation> logger)
    {
        _store = store;
        _graph = graph;
        _vault = vault;
        _certificates = certificates;
        _tokens = tokens;
        _generations = generations;
        _credentials = credentials;
        _connections = connections;
        _refresh = refresh;
        _time = time;
        _options = options.Value;
        _steps = meters.Create(TokenBrokerMetrics.MeterName).CreateCounter<long>(
            "tokenbroker.rotation.steps", "{step}", "Rotation steps run, by connection, step and outcome (success, failed, waiting).");
        _logger = logger;
    }

    /// <summary>
    /// One pass: plans the rotations that became due and advances every active one by as many steps as are ready,
    /// within <see cref="RotationOptions.MaxRunTime"/>. Never throws but for cancellation.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var automatic = _connections.All.Where(IsRotated).ToList();
        if (automatic.Count == 0)
        {
            return;
        }

        Dictionary<string, RotationRecord> rows;
        try
        {
            rows = await _store.ListAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RunFailed(_logger, "(all)", ex.GetType().Name);
            return;
        }

        var deadline = _time.GetUtcNow() + _options.MaxRunTime;
        await Parallel.ForEachAsync(
            automatic,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelRotations, CancellationToken = cancellationToken },
            async (connection, token) =>
            {
                try
                {
                    var row = rows.GetValueOrDefault(connection.Name);
                    if (row is not { IsActive: true } && await DueAsync(connection, token) is { } due)
                    {
                        row = await PlanAsync(connection, row, "due", due.Facts, token) ?? await _store.GetAsync(connection.Name, token);
                    }

                    if (row is { IsActive: true })
                    {
                        await AdvanceAsync(connection, row, deadline, token);
                    }
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // The table or a dependency failed outside a step: the row is as it was; the next run tries again.
                    Log.RunFailed(_logger, connection.Name, ex.GetType().Name);
                }
            });
    }

    /// <summary>Plans a rotation of <paramref name="name"/> now, for an operator.</summary>
    public async Task<(PlanOutcome Outcome, RotationRecord? Row)> PlanNowAsync(string name, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(name) || !_connections.TryGet(name, out var connection))
        {
            return (PlanOutcome.NotFound, null);
        }

        if (!connection.Lifecycle.IsAutomatic)
        {
            return (PlanOutcome.Manual, null);
        }

        if (!IsRotated(connection))
        {
            return (PlanOutcome.NotSupported, null);
        }

        var existing = await _store.GetAsync(connection.Name, cancellationToken);
        if (existing is { IsActive: true })
        {
            return (PlanOutcome.AlreadyRunning, existing);
        }

        CertificateFacts? facts = null;
        if (connection.Credential is CertificateCredential)
        {
            // Key Vault makes certificate versions: a rotation now registers its latest, if the application lacks it.
            facts = await _certificates.ReadFactsAsync(connection, cancellationToken);
            if (facts.Latest is null || facts.LatestRegistered)
            {
                return (PlanOutcome.NothingToDo, existing);
            }
        }

        var planned = await PlanAsync(connection, existing, "operator", facts, cancellationToken);
        return planned is null
            ? (PlanOutcome.AlreadyRunning, await _store.GetAsync(connection.Name, cancellationToken))
            : (PlanOutcome.Planned, planned);
    }

    /// <summary>Whether the broker rotates the connection's credential: automatic mode, and a client secret or a certificate.</summary>
    internal static bool IsRotated(Connection connection) =>
        connection.Lifecycle.IsAutomatic && connection.Credential is SecretCredential or CertificateCredential;

    /// <summary>Every rotation row by connection, for the ops listing.</summary>
    public Task<Dictionary<string, RotationRecord>> ListAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    /// <summary>
    /// Whether a rotation of the connection is due (null when not, or not checked in this interval). A certificate is due
    /// when Key Vault's latest version is not registered at the application and an older one is (its facts come along);
    /// one that merely nears its expiry with no new version is not: there is nothing to register, and the inventory flags it.
    /// </summary>
    private async Task<Due?> DueAsync(Connection connection, CancellationToken cancellationToken)
    {
        if (connection.Credential is not CertificateCredential)
        {
            return await IsDueAsync(connection, cancellationToken) ? new Due(null) : null;
        }

        var now = _time.GetUtcNow();
        if (_dueCheckedOn.TryGetValue(connection.Name, out var checkedOn) && now - checkedOn < _options.DueCheckInterval)
        {
            return null;
        }

        var facts = await _certificates.ReadFactsAsync(connection, cancellationToken);
        _dueCheckedOn[connection.Name] = now;
        return facts.IsDue ? new Due(facts) : null;
    }

    /// <summary>
    /// Whether the connection's current secret expires within its RenewBefore: the Key Vault version's <c>exp</c>,
    /// and the Graph end date of the credential it holds when the version says which (its <c>graph-key-id</c> tag).
    /// Checked at most once per <see cref="RotationOptions.DueCheckInterval"/> per connection.
    /// </summary>
    internal async Task<bool> IsDueAsync(Connection connection, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_dueCheckedOn.TryGetValue(connection.Name, out var checkedOn) && now - checkedOn < _options.DueCheckInterval)
        {
            return false;
        }

        var secret = (await _vault.GetSecretAsync(connection.Credential.Name, cancellationToken: cancellationToken)).Value;
        DateTimeOffset? expires = secret.Properties.ExpiresOn;
        if (KeyIdOf(secret.Properties) is { } keyId)
        {
            var application = await _graph.GetAsync(connection.ClientId, cancellationToken);
            if (application.Secrets.FirstOrDefault(s => s.KeyId == keyId)?.EndsOn is { } endsOn && (expires is null || endsOn < expires))
            {
                expires = endsOn;
            }
        }

        _dueCheckedOn[connection.Name] = now;
        return IsDue(expires, connection.Lifecycle, now);
    }

    /// <summary>The decision itself: an expiry known and within RenewBefore of now.</summary>
    internal static bool IsDue(DateTimeOffset? expires, CredentialLifecycle lifecycle, DateTimeOffset now) =>
        expires is { } e && e - now <= lifecycle.RenewBefore;

    /// <summary>
    /// The id of a rotation started at <paramref name="now"/>: sortable and readable, and unique per connection since
    /// one connection has one rotation at a time.
    /// </summary>
    internal static string NewRotationId(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);

    // A certificate's row is written with its facts, so from its first moment it says which version signs.
    private async Task<RotationRecord?> PlanAsync(Connection connection, RotationRecord? previous, string reason, CertificateFacts? facts, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var row = new RotationRecord
        {
            Connection = connection.Name,
            RotationId = NewRotationId(now),
            State = RotationState.Planned,
            StartedOn = now,
            StateEnteredOn = now,
            Reason = reason,
        };
        if (facts is { IsDue: true })
        {
            row = CertificateRotation.WithFacts(row, facts);
        }

        var written = await _store.TryWriteAsync(row, previous, cancellationToken);
        if (written is not null)
        {
            _steps.Add(1, Tags(connection.Name, "planned", "success"));
            Log.Planned(_logger, connection.Name, row.RotationId, reason);
        }

        return written;
    }

    /// <summary>Runs the ready steps of one rotation, one conditional write each, until it waits, fails, loses a race or is done.</summary>
    internal async Task<RotationRecord> AdvanceAsync(Connection connection, RotationRecord row, DateTimeOffset deadline, CancellationToken cancellationToken, int maxSteps = int.MaxValue)
    {
        for (var steps = 0; steps < maxSteps && row.IsActive && _time.GetUtcNow() < deadline; steps++)
        {
            var now = _time.GetUtcNow();
            if (row.NextAttemptOn is { } next && next > now)
            {
                return row;
            }

            RotationRecord proposed;
            var step = RotationStatus.StateName(row.State);
            try
            {
                proposed = await StepAsync(connection, row, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var code = ErrorCode(ex);
                _steps.Add(1, Tags(connection.Name, step, "failed"));
                var failed = row.Failed(code, _time.GetUtcNow(), _options.RetryInterval, _options.MaxRetryInterval);
                var nextAttempt = failed.NextAttemptOn.GetValueOrDefault();
                Log.StepFailed(_logger, connection.Name, row.RotationId, step, code, failed.Attempts, nextAttempt);
                return await _store.TryWriteAsync(failed, row, cancellationToken) ?? row;
            }

            if (ReferenceEquals(proposed, row))
            {
                return row;
            }

            var written = await _store.TryWriteAsync(proposed, row, cancellationToken);
            if (written is null)
            {
                // Another instance moved the row first: it owns the next step, and this one's work is recognised there.
                Log.LostRace(_logger, connection.Name, row.RotationId, step);
                return row;
            }

            _steps.Add(1, Tags(connection.Name, step, "success"));
            Log.StepCompleted(_logger, connection.Name, row.RotationId, written.State);
            row = written;
            if (row.State == RotationState.Promoted)
            {
                if (row.IsCertificate)
                {
                    // The row now says the new version signs (RotationVersionHold): an instance that re-read its
                    // certificate between the first stamp and this write held the old one, so the stamp moves again.
                    await _generations.BumpAsync(connection.DefaultCacheKey.PartitionKey, cancellationToken);
                    _credentials.Invalidate(connection.Credential.Name);
                }

                await RefreshAfterPromotionAsync(connection, cancellationToken);
            }
        }

        return row;
    }

    // One step from row.State; returns the row to write (or the same row when it must wait). Each is idempotent.
    private Task<RotationRecord> StepAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken) =>
        connection.Credential is CertificateCredential ? CertificateStepAsync(connection, row, cancellationToken) : SecretStepAsync(connection, row, cancellationToken);

    private Task<RotationRecord> CertificateStepAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken) => row.State switch
    {
        RotationState.Planned when !row.IsCertificate || row.AppObjectId is null => _certificates.RecordAsync(connection, row, cancellationToken),
        RotationState.Planned => _certificates.AddKeyAsync(connection, row, cancellationToken),
        RotationState.KeyAdded => _certificates.ProbeAsync(connection, row, cancellationToken),
        RotationState.Probed => PromoteAsync(connection, row, cancellationToken),
        RotationState.Promoted => RetireCertificateAsync(connection, row, cancellationToken),
        _ => Task.FromResult(row),
    };

    private Task<RotationRecord> SecretStepAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken) => row.State switch
    {
        RotationState.Planned when row.AppObjectId is null => RecordOldCredentialAsync(connection, row, cancellationToken),
        RotationState.Planned => AddSecretAsync(connection, row, cancellationToken),
        RotationState.SecretAdded => StoreSecretAsync(connection, row, cancellationToken),
        RotationState.SecretStored => ProbeAsync(connection, row, cancellationToken),
        RotationState.Probed => PromoteAsync(connection, row, cancellationToken),
        RotationState.Promoted => RetireAsync(connection, row, cancellationToken),
        _ => Task.FromResult(row),
    };

    // Planned, first half: the facts about the credential being replaced (a repeat reads them again).
    private async Task<RotationRecord> RecordOldCredentialAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        var application = await _graph.GetAsync(connection.ClientId, cancellationToken);
        var current = (await _vault.GetSecretAsync(connection.Credential.Name, cancellationToken: cancellationToken)).Value.Properties;
        var oldKeyId = KeyIdOf(current);
        if (oldKeyId is null)
        {
            // A secret made by hand carries no tag: it is the application's one secret, if it has one; otherwise the
            // old credential is unknown and only its Key Vault version is retired (the inventory flags the leftover).
            var others = application.Secrets.Where(s => s.DisplayName?.StartsWith($"tokenbroker:{connection.Name}:", StringComparison.Ordinal) != true).ToList();
            oldKeyId = others.Count == 1 ? others[0].KeyId : null;
        }

        return row with { AppObjectId = application.ObjectId, OldKeyId = oldKeyId, OldVaultVersion = current.Version };
    }

    // Planned → SecretAdded: addPassword named after the rotation. A credential with that name already there was added
    // by a runner that stopped before recording it; its value is gone, so it is removed before adding again.
    private async Task<RotationRecord> AddSecretAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        var application = await _graph.GetAsync(connection.ClientId, cancellationToken);
        foreach (var lost in application.Secrets.Where(s => s.DisplayName == row.DisplayName))
        {
            await _graph.RemoveSecretAsync(application, lost.KeyId, cancellationToken);
            Log.LostSecretRemoved(_logger, connection.Name, row.RotationId, lost.KeyId);
        }

        var now = _time.GetUtcNow();
        var added = await _graph.AddSecretAsync(application, row.DisplayName, now + connection.Lifecycle.Lifetime, cancellationToken);
        _unstored[Unstored(row)] = added.Value;
        return row.Advanced(RotationState.SecretAdded, now) with { NewKeyId = added.Credential.KeyId, NewEndsOn = added.Credential.EndsOn ?? now + connection.Lifecycle.Lifetime };
    }

    // SecretAdded → SecretStored: a new Key Vault version with the value, the Graph end date as exp and both tags. A
    // version already tagged with this rotation and keyId is the earlier write of a runner that stopped before recording.
    private async Task<RotationRecord> StoreSecretAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        var name = connection.Credential.Name;
        var now = _time.GetUtcNow();
        var keyId = row.NewKeyId!.Value;
        await foreach (var version in _vault.GetPropertiesOfSecretVersionsAsync(name, cancellationToken))
        {
            if (version.Tags.TryGetValue(VaultTags.Rotation, out var rotation) && rotation == row.RotationId && KeyIdOf(version) == keyId)
            {
                _unstored.TryRemove(Unstored(row), out _);
                return row.Advanced(RotationState.SecretStored, now) with { NewVaultVersion = version.Version };
            }
        }

        if (!_unstored.TryGetValue(Unstored(row), out var value))
        {
            // Added by a runner that stopped before storing it: nobody has the value. Remove it and add again.
            var application = await _graph.GetAsync(connection.ClientId, cancellationToken);
            foreach (var lost in application.Secrets.Where(s => s.KeyId == keyId || s.DisplayName == row.DisplayName))
            {
                await _graph.RemoveSecretAsync(application, lost.KeyId, cancellationToken);
                Log.LostSecretRemoved(_logger, connection.Name, row.RotationId, lost.KeyId);
            }

            return row.Advanced(RotationState.Planned, now) with { NewKeyId = null, NewEndsOn = null };
        }

        var secret = new KeyVaultSecret(name, value);
        secret.Properties.ExpiresOn = row.NewEndsOn;
        secret.Properties.ContentType = "text/plain";
        secret.Properties.Tags[VaultTags.GraphKeyId] = keyId.ToString();
        secret.Properties.Tags[VaultTags.Rotation] = row.RotationId;
        var stored = (await _vault.SetSecretAsync(secret, cancellationToken)).Value;
        _unstored.TryRemove(Unstored(row), out _);
        return row.Advanced(RotationState.SecretStored, now) with { NewVaultVersion = stored.Properties.Version };
    }

    // SecretStored → Probed: a client-credentials request with the new version. Entra takes seconds to minutes to accept
    // a new secret; until then this step fails and is retried with backoff, and callers are served with the old version.
    private async Task<RotationRecord> ProbeAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        var secret = (await _vault.GetSecretAsync(connection.Credential.Name, row.NewVaultVersion, cancellationToken)).Value;
        var result = await _tokens.RequestTokenAsync(connection, new ClientSecret(secret.Value, row.NewVaultVersion!), connection.DefaultScopes, cancellationToken);
        if (result.Error is { } error)
        {
            throw new RotationStepException(
                error.Kind == TokenErrorKind.UpstreamRejected ? "probe_refused" : "probe_failed",
                $"The token endpoint did not accept the new secret of connection '{connection.Name}' yet ({error.Kind}).");
        }

        return row.Advanced(RotationState.Probed, _time.GetUtcNow());
    }

    // Probed → Promoted: the connection's generation stamp moves, so every instance drops its memory tier and its cached
    // credential and reads the new latest version. Tokens in the shared tier stay valid and are served meanwhile.
    private async Task<RotationRecord> PromoteAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        await _generations.BumpAsync(connection.DefaultCacheKey.PartitionKey, cancellationToken);
        _credentials.Invalidate(connection.Credential.Name);
        var now = _time.GetUtcNow();
        return row.Advanced(RotationState.Promoted, now) with { PromotedOn = now };
    }

    // Promoted → Done after the grace for a certificate: removeKey of the old key (gone already is fine). The old Key
    // Vault version stays enabled: the broker has no certificate write right.
    private async Task<RotationRecord> RetireCertificateAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        if (GraceWait(connection, row) is { } waiting)
        {
            return waiting;
        }

        await _certificates.RetireAsync(connection, row, cancellationToken);
        Log.Completed(_logger, connection.Name, row.RotationId);
        var now = _time.GetUtcNow();
        return row.Advanced(RotationState.Done, now) with { CompletedOn = now };
    }

    // Until the grace from promotion has passed: the row to keep (its next attempt at the end of the grace); else null.
    private RotationRecord? GraceWait(Connection connection, RotationRecord row)
    {
        var retireAt = (row.PromotedOn ?? row.StateEnteredOn) + connection.Lifecycle.Grace;
        return _time.GetUtcNow() >= retireAt ? null : row.NextAttemptOn == retireAt ? row : row with { NextAttemptOn = retireAt };
    }

    // Promoted → Done after the grace: removePassword of the old keyId (gone already is fine), then the old Key Vault
    // version disabled (so the previous-version fallback can never pick it again).
    private async Task<RotationRecord> RetireAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        if (GraceWait(connection, row) is { } waiting)
        {
            return waiting;
        }

        var now = _time.GetUtcNow();

        if (row.OldKeyId is { } oldKeyId)
        {
            var application = await _graph.GetAsync(connection.ClientId, cancellationToken);
            await _graph.RemoveSecretAsync(application, oldKeyId, cancellationToken);
        }

        if (row.OldVaultVersion is { Length: > 0 } oldVersion && oldVersion != row.NewVaultVersion)
        {
            var properties = new SecretProperties(new Uri(_vault.VaultUri, $"secrets/{connection.Credential.Name}/{oldVersion}")) { Enabled = false };
            try
            {
                await _vault.UpdateSecretPropertiesAsync(properties, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Purged by someone: nothing left to disable.
            }
        }

        Log.Completed(_logger, connection.Name, row.RotationId);
        return row.Advanced(RotationState.Done, now) with { CompletedOn = now };
    }

    private async Task RefreshAfterPromotionAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            // The shared tier gets tokens obtained with the new version now, rather than when they come due.
            await _refresh(connection, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RunFailed(_logger, connection.Name, ex.GetType().Name);
        }
    }

    private static Guid? KeyIdOf(SecretProperties properties) =>
        properties.Tags.TryGetValue(VaultTags.GraphKeyId, out var tag) && Guid.TryParse(tag, out var keyId) ? keyId : null;

    private static string Unstored(RotationRecord row) => $"{row.Connection}\n{row.RotationId}";

    private static string ErrorCode(Exception ex) => ex switch
    {
        RotationStepException step => step.Code,
        AppRegistrationException graph => "graph_" + graph.Error.ToString().ToLowerInvariant(),
        RequestFailedException { Status: 403 } => "key_vault_forbidden",
        RequestFailedException { Status: 404 } => "key_vault_not_found",
        RequestFailedException => "key_vault_failed",
        ClientCredentialUnavailableException => "credential_unavailable",
        _ => "unavailable",
    };

    private sealed record Due(CertificateFacts? Facts);

    private static KeyValuePair<string, object?>[] Tags(string connection, string step, string outcome) =>
        [new("connection", connection), new("step", step), new("outcome", outcome)];

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RotationPlanned, Level = LogLevel.Warning, Message = "Rotation {RotationId} of connection {Connection} planned ({Reason})")]
        public static partial void Planned(ILogger logger, string connection, string rotationId, string reason);

        [LoggerMessage(EventId = EventIds.RotationStepCompleted, Level = LogLevel.Information, Message = "Rotation {RotationId} of connection {Connection} reached {State}")]
        public static partial void StepCompleted(ILogger logger, string connection, string rotationId, RotationState state);

        [LoggerMessage(EventId = EventIds.RotationStepFailed, Level = LogLevel.Warning, Message = "Rotation {RotationId} of connection {Connection}: step after {State} failed ({Error}), attempt {Attempts}; next attempt at {NextAttemptOn:O}")]
        public static partial void StepFailed(ILogger logger, string connection, string rotationId, string state, string error, int attempts, DateTimeOffset nextAttemptOn);

        [LoggerMessage(EventId = EventIds.RotationCompleted, Level = LogLevel.Warning, Message = "Rotation {RotationId} of connection {Connection} completed: the old credential is retired")]
        public static partial void Completed(ILogger logger, string connection, string rotationId);

        [LoggerMessage(EventId = EventIds.RotationRunFailed, Level = LogLevel.Warning, Message = "Rotation of connection {Connection} could not run ({ExceptionType}); the next refresh run tries again")]
        public static partial void RunFailed(ILogger logger, string connection, string exceptionType);

        [LoggerMessage(EventId = EventIds.RotationLostRace, Level = LogLevel.Information, Message = "Rotation {RotationId} of connection {Connection}: another instance recorded the step after {State} first")]
        public static partial void LostRace(ILogger logger, string connection, string rotationId, string state);

        [LoggerMessage(EventId = EventIds.RotationLostSecretRemoved, Level = LogLevel.Warning, Message = "Rotation {RotationId} of connection {Connection}: removed client secret {KeyId}, added by a runner that stopped before storing it")]
        public static partial void LostSecretRemoved(ILogger logger, string connection, string rotationId, Guid keyId);
    }
}
