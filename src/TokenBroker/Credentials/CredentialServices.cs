using TokenBroker.Acquisition;
using TokenBroker.Federation;

namespace TokenBroker.Credentials;

/// <summary>
/// What the credential types draw on at run time: the one versioned cache, the broker's managed identity and the
/// assertion signer. The types themselves are built from options when the registry is, before any service exists.
/// </summary>
internal sealed class CredentialServices(CredentialCache cache, ManagedIdentityAssertionSource managedIdentity, ClientAssertionFactory assertions)
{
    public CredentialCache Cache => cache;

    public ManagedIdentityAssertionSource ManagedIdentity => managedIdentity;

    public ClientAssertionFactory Assertions => assertions;
}
