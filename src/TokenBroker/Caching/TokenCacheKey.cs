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

    // Neither part can contain it: a partition is a connection name, a row is base64url.
    private const char Separator = '/';

    public TokenCacheKey(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Value = string.Concat(partitionKey, Separator.ToString(), rowKey);
    }

    /// <summary>The Table Storage partition key: the connection name, lower-cased.</summary>
    public string PartitionKey { get; }

    /// <summary>The Table Storage row key: the fingerprint, base64url.</summary>
    public string RowKey { get; }

    /// <summary>The memory-tier key.</summary>
    public string Value { get; }

    /// <summary>The partition of every key of the connection named <paramref name="connectionName"/>.</summary>
    public static string PartitionOf(string connectionName) => connectionName.ToLowerInvariant();

    /// <summary>Whether the memory-tier key <paramref name="value"/> (a <see cref="Value"/>) is in <paramref name="partitionKey"/>.</summary>
    public static bool IsInPartition(string value, string partitionKey) =>
        value.Length > partitionKey.Length
        && value[partitionKey.Length] == Separator
        && value.StartsWith(partitionKey, StringComparison.Ordinal);

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
        return new TokenCacheKey(PartitionOf(connectionName), rowKey);
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
