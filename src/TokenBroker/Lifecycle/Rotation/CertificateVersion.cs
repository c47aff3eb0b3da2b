namespace TokenBroker.Lifecycle.Rotation;

/// <summary>An enabled Key Vault certificate version as a rotation sees it.</summary>
/// <param name="Version">Key Vault's version id.</param>
/// <param name="Thumbprint">Its SHA-1 thumbprint, upper-case hex (what Graph's <c>customKeyIdentifier</c> holds by default).</param>
/// <param name="CreatedOn">When Key Vault made it; the newest is the latest.</param>
internal sealed record CertificateVersion(string Version, string Thumbprint, DateTimeOffset? CreatedOn);
