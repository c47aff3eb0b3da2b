using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// Makes the certificate of a connection in automatic mode follow its rotation row rather than Key Vault's latest
/// version: Key Vault's renewal makes a version Entra ID does not know yet, so until the rotation registers, probes and
/// promotes it every instance signs with the version the row records as the old one, and no request is sent that Entra
/// would refuse. Connections in manual mode, secrets, and certificates never rotated by the broker are not governed.
/// </summary>
internal sealed partial class RotationVersionHold(ConnectionRegistry connections, Lazy<RotationStore> store, ILogger<RotationVersionHold> logger) : ICredentialVersionHold
{
    // The last answer per connection, kept when the table cannot be read: a table outage must not switch signing keys.
    private readonly ConcurrentDictionary<string, string?> _lastKnown = new(StringComparer.Ordinal);

    public async ValueTask<string?> GetHeldVersionAsync(VaultObject vaultObject, string latestVersion, CancellationToken cancellationToken)
    {
        if (vaultObject.Kind != VaultObject.CertificateKind)
        {
            return null;
        }

        var connection = connections.All.FirstOrDefault(c => c.Lifecycle.IsAutomatic && c.Credential is CertificateCredential && c.Credential.IsStoredAs(vaultObject.Name));
        if (connection is null)
        {
            return null;
        }

        try
        {
            var row = await store.Value.GetAsync(connection.Name, cancellationToken);
            var version = row is null ? null : SigningVersion(row);
            _lastKnown[connection.Name] = version;
            return version;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is Azure.RequestFailedException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            var known = _lastKnown.GetValueOrDefault(connection.Name);
            Log.Unreadable(logger, connection.Name, ex.GetType().Name, known ?? "(none: the latest)");
            return known;
        }
    }

    /// <summary>
    /// The version that signs according to a certificate rotation row: the old one until the new is promoted, the new one
    /// from then on (also after Done, until the next rotation plans); null for a secret row or a row without facts.
    /// </summary>
    internal static string? SigningVersion(RotationRecord row) => !row.IsCertificate ? null : row.State switch
    {
        RotationState.Planned or RotationState.KeyAdded or RotationState.Probed => row.OldVaultVersion,
        RotationState.Promoted or RotationState.Done => row.NewVaultVersion,
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RotationHoldUnreadable, Level = LogLevel.Warning, Message = "Connection {Connection}: the rotation row could not be read ({ExceptionType}); signing with version {Version} as last known")]
        public static partial void Unreadable(ILogger logger, string connection, string exceptionType, string version);
    }
}
