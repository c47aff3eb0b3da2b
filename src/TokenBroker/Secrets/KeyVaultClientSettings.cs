using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using TokenBroker.Connections;

namespace TokenBroker.Secrets;

/// <summary>How the broker's <see cref="SecretClient"/> and <see cref="CertificateClient"/> are set up: one place for both.</summary>
internal static class KeyVaultClientSettings
{
    public static SecretClientOptions Apply(SecretClientOptions options, Uri vault)
    {
        ApplyRetry(options);

        // The SDK refuses a challenge whose resource is not a parent domain of the vault's host, so that a token for
        // Key Vault is never sent elsewhere. No loopback host is under vault.azure.net; a loopback vault is a local
        // stand-in on this very machine, so the check has nothing to protect there.
        options.DisableChallengeResourceVerification = UriRules.IsLoopback(vault);
        return options;
    }

    public static CertificateClientOptions Apply(CertificateClientOptions options, Uri vault)
    {
        ApplyRetry(options);
        options.DisableChallengeResourceVerification = UriRules.IsLoopback(vault);
        return options;
    }

    private static void ApplyRetry(ClientOptions options)
    {
        // The SDK default waits up to 100 s per attempt and retries three times: a vault that accepts connections and
        // never answers would hold a caller for minutes. A read is small; ten seconds is plenty, and the caller's own
        // AcquisitionTimeout still bounds the whole.
        options.Retry.MaxRetries = 2;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
