namespace TokenBroker.Diagnostics;

/// <summary>
/// Every log event id of the core, in one list so that none is used twice and a log search by id finds one kind of
/// event. Ids are stable: operators' queries and alerts use them. Ranges by feature; the standalone host has 4000s and
/// 6100s (<c>TokenBroker.Host</c>), the client library 10000s (<c>TokenBroker.Client</c>). docs/runbook.md lists them all.
/// </summary>
internal static class EventIds
{
    // Acquisition and coordination of a fetch (1000s: the request path; 1100s: the token endpoint; 1200s: rotation fallback).
    /// <summary>A token was fetched from the authorization server.</summary>
    public const int TokenAcquired = 1001;

    /// <summary>The connection's credential could not be read.</summary>
    public const int CredentialUnavailable = 1002;

    /// <summary>A fetch took longer than AcquisitionTimeout.</summary>
    public const int AcquisitionTimedOut = 1003;

    /// <summary>The instance holding the lease produced no token within PeerWait.</summary>
    public const int PeerTooSlow = 1004;

    /// <summary>A refresh returned a token expiring like the old one.</summary>
    public const int SameTokenReturned = 1005;

    /// <summary>A refresh started by a hit failed.</summary>
    public const int BackgroundRefreshFailed = 1006;

    /// <summary>The authorization server refused the token request.</summary>
    public const int TokenRequestRejected = 1101;

    /// <summary>The token endpoint failed or did not answer.</summary>
    public const int TokenEndpointUnavailable = 1102;

    /// <summary>The answer is not a usable bearer token.</summary>
    public const int TokenResponseInvalid = 1103;

    /// <summary>The answer's lifetime is unusable.</summary>
    public const int TokenLifetimeProblem = 1104;

    /// <summary>Invalid_client: retrying with the credential re-read from the vault.</summary>
    public const int RetryingWithLatestCredential = 1201;

    /// <summary>A previous credential version worked and is pinned.</summary>
    public const int PreviousVersionAccepted = 1202;

    /// <summary>Every credential version was refused.</summary>
    public const int EveryVersionRefused = 1203;

    /// <summary>Re-reading the credential after invalid_client failed.</summary>
    public const int CredentialReloadFailed = 1204;

    /// <summary>The managed identity assertion was refused.</summary>
    public const int RefusedWithoutRotation = 1205;

    // Credentials: the versioned cache of secrets and certificates (2000s).
    /// <summary>A credential version was read.</summary>
    public const int CredentialLoaded = 2001;

    /// <summary>The vault failed; the last good version is used.</summary>
    public const int ServingStaleCredential = 2002;

    /// <summary>A previous version is pinned until the latest changes.</summary>
    public const int CredentialPinned = 2003;

    // Caching: the shared table (3000s), tokens at rest (3100s), the start-up check of the shared tier (3900s).
    /// <summary>A Table Storage operation failed; the broker goes on without the shared tier.</summary>
    public const int StorageOperationFailed = 3001;

    /// <summary>An entity cannot be read as written; treated as a miss.</summary>
    public const int UnreadableEntity = 3003;

    /// <summary>A token is too large for one entity; memory only.</summary>
    public const int TokenTooLarge = 3004;

    /// <summary>The token cache key cannot be read.</summary>
    public const int CacheKeyUnavailable = 3101;

    /// <summary>An entity's key version is gone.</summary>
    public const int CacheKeyVersionGone = 3102;

    /// <summary>An entity's seal does not open.</summary>
    public const int TamperedEntity = 3103;

    /// <summary>The token cache key is too weak to seal tokens with; the shared tier is skipped.</summary>
    public const int CacheKeyTooWeak = 3104;

    /// <summary>No token cache key (Development): the shared tier is off.</summary>
    public const int CacheKeyMissingInDevelopment = 3901;

    /// <summary>The token cache key could not be checked at start-up; read again on first use.</summary>
    public const int CacheKeyUnchecked = 3902;

    /// <summary>Table Storage answered 403 to the broker identity.</summary>
    public const int TableForbidden = 3903;

    /// <summary>Table Storage could not be reached at start-up.</summary>
    public const int TableUnavailable = 3904;

    // The start-up warm-up of the token path (3340s: issue 17, item 2).
    /// <summary>The token path was warmed at start-up, off the callers' path.</summary>
    public const int TokenPathWarmed = 3340;

    /// <summary>The start-up warm-up was skipped or gave up; nothing depends on it.</summary>
    public const int TokenPathWarmupSkipped = 3341;

    // Refresh: the job, the standalone scheduler, its lease and the usage marks (5000s).
    /// <summary>A refresh job run ended.</summary>
    public const int RefreshRunCompleted = 5001;

    /// <summary>Refreshing one entry failed.</summary>
    public const int EntryRefreshFailed = 5002;

    /// <summary>An entry nobody used within IdleTimeout was deleted.</summary>
    public const int IdleEntryDeleted = 5003;

    /// <summary>A scheduled run of the standalone host failed.</summary>
    public const int RefreshRunFailed = 5010;

    /// <summary>The refresh lease could not be read or taken.</summary>
    public const int RefreshLeaseUnavailable = 5011;

    /// <summary>Writing usage marks failed.</summary>
    public const int UsageMarkFailed = 5020;

    // Rotation: Key Vault events (6000s; the standalone host's queue pump is 6100s, in TokenBroker.Host).
    /// <summary>A Key Vault event named a new version.</summary>
    public const int NewCredentialVersion = 6001;

    /// <summary>The new version obtained a token.</summary>
    public const int NewVersionProven = 6002;

    /// <summary>The new version is not accepted by the authorization server yet.</summary>
    public const int NewVersionNotAcceptedYet = 6003;

    /// <summary>Re-acquiring with the new version failed.</summary>
    public const int ReacquireFailed = 6004;

    /// <summary>A credential is near its expiry.</summary>
    public const int CredentialNearExpiry = 6005;

    /// <summary>A credential has expired.</summary>
    public const int CredentialExpired = 6006;

    /// <summary>An event from another vault was ignored.</summary>
    public const int EventFromOtherVault = 6007;

    // Access: caller identity (7000s) and the access policy (7100s).
    /// <summary>A caller's bearer token was refused.</summary>
    public const int CallerTokenRejected = 7001;

    /// <summary>The caller authority's metadata or keys could not be fetched.</summary>
    public const int CallerMetadataUnavailable = 7002;

    /// <summary>The access policy allowed a caller.</summary>
    public const int AccessAllowed = 7101;

    /// <summary>The access policy denied a caller.</summary>
    public const int AccessDenied = 7102;

    // Operations: operator actions and evictions (8000s).
    /// <summary>An operator forced a refresh.</summary>
    public const int OperatorRefreshed = 8001;

    /// <summary>An operator evicted a connection.</summary>
    public const int OperatorEvicted = 8002;

    /// <summary>Another instance's eviction dropped this instance's tokens.</summary>
    public const int EvictionObserved = 8003;

    /// <summary>The admin key could not be read to check an operator.</summary>
    public const int AdminKeyUnavailable = 8004;

    // Audit: the records of the audit trail, category TokenBroker.Audit (9000s).
    /// <summary>Audit: token_issued.</summary>
    public const int AuditTokenIssued = 9001;

    /// <summary>Audit: token_released.</summary>
    public const int AuditTokenReleased = 9002;

    /// <summary>Audit: token_refused.</summary>
    public const int AuditTokenRefused = 9003;

    /// <summary>Audit: denials_suppressed.</summary>
    public const int AuditDenialsSuppressed = 9004;

    /// <summary>Audit: operator_action.</summary>
    public const int AuditOperatorAction = 9005;

    /// <summary>Audit: records_dropped.</summary>
    public const int AuditRecordsDropped = 9006;

    /// <summary>Audit: a record could not be written.</summary>
    public const int AuditWriteFailed = 9007;

    // Credential lifecycle: changes to an app registration's credentials through Microsoft Graph (8500s).
    /// <summary>A client secret was added to an application.</summary>
    public const int GraphSecretAdded = 8501;

    /// <summary>A client secret was removed from an application.</summary>
    public const int GraphSecretRemoved = 8502;

    /// <summary>A certificate was added to an application.</summary>
    public const int GraphKeyAdded = 8503;

    /// <summary>A certificate was removed from an application.</summary>
    public const int GraphKeyRemoved = 8504;

    /// <summary>A Graph call about an application's credentials failed.</summary>
    public const int GraphCallFailed = 8505;

    // Credential lifecycle: the expiry inventory (8600-8649, issue 15b).
    /// <summary>A slice of the credential inventory was taken.</summary>
    public const int InventorySliceTaken = 8600;

    /// <summary>The inventory flagged a connection's credential.</summary>
    public const int InventoryFlagged = 8601;

    /// <summary>The inventory could not be taken; the refresh run went on.</summary>
    public const int InventoryFailed = 8602;

    /// <summary>The stored inventory could not be read from the table.</summary>
    public const int InventoryReadFailed = 8603;

    // Credential lifecycle: the inventory in slices (8604-8619, issue 17f).
    /// <summary>Connections are due after a slice that spent its budget, and some rows are older than the interval.</summary>
    public const int InventoryBehind = 8604;

    /// <summary>A transaction of inventory rows could not be written; its connections are read again next run.</summary>
    public const int InventoryWriteFailed = 8605;

    // Credential lifecycle: automatic rotation (8650s).
    /// <summary>A rotation was planned.</summary>
    public const int RotationPlanned = 8650;

    /// <summary>A rotation step completed.</summary>
    public const int RotationStepCompleted = 8651;

    /// <summary>A rotation step failed and waits for its next attempt.</summary>
    public const int RotationStepFailed = 8652;

    /// <summary>A rotation completed: the old credential is retired.</summary>
    public const int RotationCompleted = 8653;

    /// <summary>A rotation could not run outside a step (the table, a dependency).</summary>
    public const int RotationRunFailed = 8654;

    /// <summary>Another instance recorded a rotation step first.</summary>
    public const int RotationLostRace = 8655;

    /// <summary>A client secret whose value was lost in a crash was removed.</summary>
    public const int RotationLostSecretRemoved = 8656;

    /// <summary>Automatic rotation could not be set up (no vault, no Graph).</summary>
    public const int RotationUnavailable = 8657;

    // Credential lifecycle: automatic rotation of certificates (8660-8689, issue 15e).
    /// <summary>A certificate version other than Key Vault's latest stays in use because an automatic rotation holds it.</summary>
    public const int CredentialHeld = 8660;

    /// <summary>The version a rotation holds could not be read; the latest is used.</summary>
    public const int CredentialHeldUnavailable = 8661;

    /// <summary>The rotation row that says which certificate version signs could not be read; the last known answer stays.</summary>
    public const int RotationHoldUnreadable = 8662;

    /// <summary>The new certificate was registered already (by a runner that stopped before recording it): adopted.</summary>
    public const int RotationKeyAdopted = 8663;

    /// <summary>Key Vault's latest certificate is not registered, and no registered version can prove possession to register it.</summary>
    public const int RotationNoRegisteredCertificate = 8664;

    // The refresh lease at a graceful stop (8690s, issue-15f).

    /// <summary>A stopping instance could not give up the refresh lease; another takes over when it lapses.</summary>
    public const int RefreshLeaseReleaseFailed = 8690;
}
