namespace TokenBroker.Connections;

/// <summary>
/// What a connection authenticates with, one field set per method: a secret name for the client secret methods, a
/// certificate name, algorithm and optional assertion audience for <c>private_key_jwt</c>, an audience for
/// <c>managed_identity_federation</c>.
/// </summary>
internal readonly record struct ConnectionCredential(
    string? SecretName,
    string? CertificateName,
    string? SigningAlgorithm,
    string? AssertionAudience,
    string? FederationAudience)
{
    public static ConnectionCredential Secret(string name) => new(name, null, null, null, null);

    public static ConnectionCredential Certificate(string name, string algorithm, string? assertionAudience) =>
        new(null, name, algorithm, assertionAudience, null);

    public static ConnectionCredential Federation(string audience) => new(null, null, null, null, audience);
}
