using System.Text.Json;
using Azure;
using Azure.Identity;

namespace TokenBroker.Secrets;

/// <summary>
/// Which exceptions from a Key Vault client (or the credential behind it) mean "Key Vault is not usable now", and how
/// to say why in a few uniform words. A <see cref="RequestFailedException"/> is only the answered case: when every
/// attempt fails on the network (refused, reset, TLS, a cut body, a timeout), Azure.Core's retry policy throws an
/// <see cref="AggregateException"/> of the attempts; a body that is not JSON throws <see cref="JsonException"/>; a
/// network timeout without retries left surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
internal static class KeyVaultFailure
{
    /// <summary>True for an outage or refusal; false for the caller's own cancellation and for programming errors.</summary>
    public static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RequestFailedException or AggregateException or AuthenticationFailedException => true,
        JsonException or FormatException or IOException or HttpRequestException or InvalidOperationException => true,
        _ => false,
    };

    /// <summary>The reason, in words that carry no value from the answer; <paramref name="role"/> names the role needed.</summary>
    public static string Describe(Exception ex, string role) => ex switch
    {
        RequestFailedException { Status: 404 } => "not found in Key Vault",
        RequestFailedException { Status: 401 or 403 } failed => $"access denied by Key Vault (status {failed.Status}); the broker identity needs {role}",
        RequestFailedException { Status: 429 } => "Key Vault is throttling the broker (status 429)",
        RequestFailedException { Status: 0 } => "Key Vault could not be reached",
        RequestFailedException failed => $"Key Vault answered status {failed.Status}",
        AggregateException aggregate => $"Key Vault could not be reached after {aggregate.InnerExceptions.Count} attempts ({Describe(aggregate.InnerExceptions[^1], role)})",
        AuthenticationFailedException => "the broker could not obtain a token for Key Vault",
        OperationCanceledException => "Key Vault did not answer in time",
        JsonException or FormatException => "Key Vault's answer could not be read",
        _ => "Key Vault could not be reached",
    };
}
