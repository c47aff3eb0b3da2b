using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using TokenBroker.Connections;

namespace TokenBroker.Caching;

/// <summary>
/// Where a token lives in both cache tiers. The partition is the connection; the row is a fingerprint of
/// everything that shapes the token (token endpoint, client id, auth method, normalized scopes), so a
/// configuration change or a different scope set can never be served a token minted for something else.
/// </summary>
internal readonly record struct TokenCacheKey
{
    private const int FingerprintBytes = 24;

    public TokenCacheKey(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Value = string.Concat(partitionKey, "/", rowKey);
    }

    /// <summary>The Table Storage partition key: the connection name, lower-cased.</summary>
    public string PartitionKey { get; }

    /// <summary>The Table Storage row key: the fingerprint, base64url.</summary>
    public string RowKey { get; }

    /// <summary>The memory-tier key.</summary>
    public string Value { get; }

    public static TokenCacheKey Create(Connection connection, ScopeSet scopes) =>
        Create(connection.Name, connection.TokenEndpoint, connection.ClientId, connection.AuthMethod, scopes);

    public static TokenCacheKey Create(string connectionName, Uri tokenEndpoint, string clientId, ClientAuthMethod authMethod, ScopeSet scopes)
    {
        // A version prefix and unit separators keep the fields from running into each other ("ab"+"c" vs "a"+"bc").
        var material = string.Join(
            '\u001f',
            "v1",
            tokenEndpoint.AbsoluteUri,
            clientId,
            ClientAuthMethodNames.ToName(authMethod),
            scopes.Value);

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(material), hash);
        var rowKey = Base64Url.EncodeToString(hash[..FingerprintBytes]);
        return new TokenCacheKey(connectionName.ToLowerInvariant(), rowKey);
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
