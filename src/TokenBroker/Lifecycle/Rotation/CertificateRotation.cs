using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using TokenBroker.Acquisition;
using TokenBroker.Certificates;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// The certificate (<c>private_key_jwt</c>) steps of <see cref="CredentialRotation"/>. Key Vault's own renewal policy
/// makes the new version (the broker has no certificate write right); the broker registers its public key at the
/// application with addKey (the proof signed by the old certificate), probes the token endpoint with an assertion
/// signed by the new one, and after the grace removes the old key with a proof signed by the new one. Private keys are
/// read from the secret Key Vault keeps beside each certificate version, and never leave the process.
/// </summary>
internal sealed partial class CertificateRotation(
    AppRegistrationClient graph,
    CertificateClient certificates,
    SecretClient secrets,
    ClientCredentialsClient tokens,
    TimeProvider time,
    ILogger<CertificateRotation> logger)
{
    /// <summary>
    /// What Key Vault and the application say now: Key Vault's latest enabled version, whether the application knows it,
    /// and the newest older version the application knows (the one signing today, which can prove possession).
    /// </summary>
    public async Task<CertificateFacts> ReadFactsAsync(Connection connection, CancellationToken cancellationToken)
    {
        // The latest as Key Vault names it (what the credential source reads), and the enabled versions for the older ones.
        var name = connection.Credential.Name;
        var latest = (await certificates.GetCertificateAsync(name, cancellationToken)).Value.Properties;
        var versions = new List<CertificateVersion>();
        await foreach (var properties in certificates.GetPropertiesOfCertificateVersionsAsync(name, cancellationToken))
        {
            if (properties.Enabled == true && properties.X509Thumbprint is { Length: > 0 } thumbprint)
            {
                versions.Add(new CertificateVersion(properties.Version, Convert.ToHexString(thumbprint), properties.CreatedOn));
            }
        }

        var application = await graph.GetAsync(connection.ClientId, cancellationToken);
        var facts = CertificateFacts.From(application, latest.Enabled == true ? latest.Version : null, versions);
        if (facts.Latest is not null && !facts.LatestRegistered && facts.Old is null)
        {
            Log.NoRegisteredCertificate(logger, connection.Name, facts.Latest.Version);
        }

        return facts;
    }

    /// <summary>Planned, for a row planned without facts: reads them (a repeat reads them again).</summary>
    public async Task<RotationRecord> RecordAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken) =>
        WithFacts(row, await ReadFactsAsync(connection, cancellationToken));

    /// <summary>The row with the facts a certificate rotation starts from; a step error when there is nothing to rotate with.</summary>
    public static RotationRecord WithFacts(RotationRecord row, CertificateFacts facts)
    {
        if (facts.Latest is null)
        {
            throw new RotationStepException("no_enabled_certificate", $"Key Vault holds no enabled version of the certificate of connection '{row.Connection}'.");
        }

        if (facts.Old is null || facts.OldKeyId is null)
        {
            throw new RotationStepException(
                "old_certificate_not_registered",
                $"No older Key Vault version of the certificate of connection '{row.Connection}' is registered at the application, so none can prove possession for addKey.");
        }

        return row with
        {
            AppObjectId = facts.Application.ObjectId,
            OldVaultVersion = facts.Old.Version,
            OldThumbprint = facts.Old.Thumbprint,
            OldKeyId = facts.OldKeyId,
            NewVaultVersion = facts.Latest.Version,
            NewThumbprint = facts.Latest.Thumbprint,
        };
    }

    /// <summary>
    /// Planned → KeyAdded: addKey of the new version's public key, with a proof signed by the old certificate. A key
    /// with the new thumbprint already registered is the earlier addKey of a runner that stopped before recording it.
    /// </summary>
    public async Task<RotationRecord> AddKeyAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        var application = await graph.GetAsync(connection.ClientId, cancellationToken);
        var now = time.GetUtcNow();
        if (Registered(application, row.NewThumbprint) is { } existing)
        {
            Log.KeyAdopted(logger, connection.Name, row.RotationId, existing.KeyId);
            return row.Advanced(RotationState.KeyAdded, now) with { NewKeyId = existing.KeyId, NewEndsOn = existing.EndsOn };
        }

        var cer = (await certificates.GetCertificateVersionAsync(connection.Credential.Name, row.NewVaultVersion, cancellationToken)).Value.Cer;
        using var added = X509CertificateLoader.LoadCertificate(cer);
        Expect(added, row.NewThumbprint, row, "new");
        using var signing = await LoadWithKeyAsync(connection, row.OldVaultVersion!, row.OldThumbprint, row, "old", cancellationToken);
        var key = await graph.AddKeyAsync(application, added, signing, row.DisplayName, cancellationToken);
        return row.Advanced(RotationState.KeyAdded, now) with { NewKeyId = key.KeyId, NewEndsOn = key.EndsOn ?? new DateTimeOffset(added.NotAfter.ToUniversalTime()) };
    }

    /// <summary>
    /// KeyAdded → Probed: a client-credentials request with an assertion signed by the new certificate. Entra takes
    /// seconds to minutes to accept a new key; until then this step fails and is retried with backoff, while callers
    /// are served with the old certificate (the row holds it, see <see cref="RotationVersionHold"/>).
    /// </summary>
    public async Task<RotationRecord> ProbeAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        // Not disposed: the request's assertion factory may sign again on a retry; the collector takes it afterwards.
        var certificate = await LoadWithKeyAsync(connection, row.NewVaultVersion!, row.NewThumbprint, row, "new", cancellationToken);
        var result = await tokens.RequestTokenAsync(connection, new ClientCertificate(certificate, row.NewVaultVersion!), connection.DefaultScopes, cancellationToken);
        if (result.Error is { } error)
        {
            throw new RotationStepException(
                error.Kind == TokenErrorKind.UpstreamRejected ? "probe_refused" : "probe_failed",
                $"The token endpoint did not accept the new certificate of connection '{connection.Name}' yet ({error.Kind}).");
        }

        return row.Advanced(RotationState.Probed, time.GetUtcNow());
    }

    /// <summary>Promoted → Done (after the grace): removeKey of the old key with a proof signed by the new certificate; gone already is fine.</summary>
    public async Task RetireAsync(Connection connection, RotationRecord row, CancellationToken cancellationToken)
    {
        if (row.OldKeyId is not { } oldKeyId)
        {
            return;
        }

        var application = await graph.GetAsync(connection.ClientId, cancellationToken);
        if (application.Keys.All(k => k.KeyId != oldKeyId))
        {
            return;
        }

        using var signing = await LoadWithKeyAsync(connection, row.NewVaultVersion!, row.NewThumbprint, row, "new", cancellationToken);
        await graph.RemoveKeyAsync(application, oldKeyId, signing, cancellationToken);
    }

    private static RegisteredKey? Registered(AppRegistration application, string? thumbprint) =>
        thumbprint is null ? null : application.Keys.FirstOrDefault(k => string.Equals(k.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase));

    // The certificate of a version with its private key, from the secret of the same name and version.
    private async Task<X509Certificate2> LoadWithKeyAsync(Connection connection, string version, string? thumbprint, RotationRecord row, string which, CancellationToken cancellationToken)
    {
        var secret = (await secrets.GetSecretAsync(connection.Credential.Name, version, cancellationToken)).Value;
        X509Certificate2 certificate;
        try
        {
            certificate = CertificateLoader.FromKeyVaultSecret(secret.Value, secret.Properties.ContentType);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new RotationStepException("certificate_unreadable", $"The {which} certificate version of connection '{row.Connection}' is not a certificate with an RSA private key ({ex.GetType().Name}).");
        }

        try
        {
            Expect(certificate, thumbprint, row, which);
            return certificate;
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static void Expect(X509Certificate2 certificate, string? thumbprint, RotationRecord row, string which)
    {
        if (!string.Equals(Convert.ToHexString(certificate.GetCertHash()), thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new RotationStepException("certificate_mismatch", $"The {which} certificate version of connection '{row.Connection}' does not hold the certificate the rotation recorded.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RotationKeyAdopted, Level = LogLevel.Information, Message = "Rotation {RotationId} of connection {Connection}: the new certificate is registered already as key {KeyId}; adopted")]
        public static partial void KeyAdopted(ILogger logger, string connection, string rotationId, Guid keyId);

        [LoggerMessage(EventId = EventIds.RotationNoRegisteredCertificate, Level = LogLevel.Warning, Message = "Connection {Connection}: Key Vault's latest certificate version {Version} is not registered at the application, and no older version is; register it by hand (the broker needs a registered certificate to prove possession)")]
        public static partial void NoRegisteredCertificate(ILogger logger, string connection, string version);
    }
}
