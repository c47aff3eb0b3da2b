using System.Diagnostics.Metrics;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Acquisition;
using TokenBroker.Caching;
using TokenBroker.Connections;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.Lifecycle;
using TokenBroker.Lifecycle.Rotation;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>What the crash-resume tests of secrets and certificates share: a runner of their own, and one step at a time.</summary>
internal static class RotationRunners
{
    /// <summary>Another runner over the same broker's parts, with its own memory and its own table client.</summary>
    public static CredentialRotation Over(BrokerInstance broker, RotationStore store)
    {
        var sp = broker.Services;
        return new CredentialRotation(
            store,
            sp.GetRequiredService<AppRegistrationClient>(),
            sp.GetRequiredService<SecretClient>(),
            sp.GetRequiredService<CertificateRotation>(),
            sp.GetRequiredService<ClientCredentialsClient>(),
            sp.GetRequiredService<EvictionGenerations>(),
            sp.GetRequiredService<TokenBroker.Credentials.CredentialCache>(),
            sp.GetRequiredService<ConnectionRegistry>(),
            (connection, token) => sp.GetRequiredService<TokenBrokerService>().ForceRefreshAsync(connection, token),
            TimeProvider.System,
            sp.GetRequiredService<IOptions<RotationOptions>>(),
            sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<ILogger<CredentialRotation>>());
    }

    /// <summary>
    /// One step. A probe refused in <paramref name="probedFrom"/> moves the directory's clock past the propagation delay,
    /// so the next probe is accepted, as Entra's would be; a step waiting for its next attempt is waited out.
    /// </summary>
    public static async Task<RotationRecord> StepAsync(EntraDirectory directory, CredentialRotation rotation, Connection connection, RotationRecord row, RotationState probedFrom)
    {
        var next = await rotation.AdvanceAsync(connection, row, DateTimeOffset.MaxValue, CancellationToken.None, maxSteps: 1);
        if (next.State == probedFrom && next.LastError == "probe_refused")
        {
            directory.Time.Advance(directory.PropagationDelay);
        }

        if (next.NextAttemptOn is { } at && at > DateTimeOffset.UtcNow)
        {
            await Task.Delay(at - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(5));
        }

        return next;
    }
}
