namespace TokenBroker.Caching;

/// <summary>A token encrypted for the shared tier: AES-256-GCM ciphertext, its nonce and tag, and the id of the key.</summary>
/// <param name="KeyId">The version of the key secret that sealed it, so an entry survives a key rotation.</param>
/// <param name="Nonce">The 96-bit nonce, fresh for every seal.</param>
/// <param name="Ciphertext">The encrypted UTF-8 token.</param>
/// <param name="Tag">The 128-bit authentication tag.</param>
internal sealed record SealedToken(string KeyId, byte[] Nonce, byte[] Ciphertext, byte[] Tag);
