using Microsoft.Extensions.Logging;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle.Rotation;

/// <summary>
/// What the refresh run calls at its end. The rotation machinery (Graph, Key Vault writes) is built on first need only,
/// so a broker with no connection in automatic mode never needs a vault, a Graph setting or write rights.
/// </summary>
internal sealed partial class RotationRunner(ConnectionRegistry connections, Func<CredentialRotation> rotation, ILogger<RotationRunner> logger)
{
    private readonly Lazy<CredentialRotation> _rotation = new(rotation);

    /// <summary>Whether any connection is rotated by the broker.</summary>
    public bool HasAutomatic => connections.All.Any(CredentialRotation.IsRotated);

    /// <summary>The rotation service (built on first use).</summary>
    public CredentialRotation Rotation => _rotation.Value;

    /// <summary>Plans a rotation of <paramref name="name"/> now, for an operator; the checks that need no vault come first.</summary>
    public async Task<(PlanOutcome Outcome, RotationRecord? Row)> PlanNowAsync(string name, CancellationToken cancellationToken)
    {
        if (!ConnectionName.IsValid(name) || !connections.TryGet(name, out var connection))
        {
            return (PlanOutcome.NotFound, null);
        }

        if (!connection.Lifecycle.IsAutomatic)
        {
            return (PlanOutcome.Manual, null);
        }

        if (!CredentialRotation.IsRotated(connection))
        {
            return (PlanOutcome.NotSupported, null);
        }

        CredentialRotation built;
        try
        {
            built = _rotation.Value;
        }
        catch (InvalidOperationException ex)
        {
            // No vault to write the new secret to or read certificates from (TokenBroker:KeyVaultUri unset).
            Log.Unavailable(logger, ex.GetType().Name, ex.Message);
            return (PlanOutcome.Unavailable, null);
        }

        return await built.PlanNowAsync(name, cancellationToken);
    }

    /// <summary>Advances the due rotations; a no-op without automatic connections.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!HasAutomatic)
        {
            return;
        }

        try
        {
            await _rotation.Value.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Built on first need: a missing vault or Graph setting shows here, and must not fail the refresh run.
            Log.Unavailable(logger, ex.GetType().Name, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RotationUnavailable, Level = LogLevel.Error, Message = "Automatic rotation cannot run ({ExceptionType}: {Reason})")]
        public static partial void Unavailable(ILogger logger, string exceptionType, string reason);
    }
}
