using Azure.Data.Tables;

namespace TokenBroker.Caching;

/// <summary>Writing a fetched token: sealed with the cache key, chunked into one entity, the lease released in the same write.</summary>
internal sealed partial class TableTokenStore
{
    /// <summary>Writes a fresh token and releases the lease in the same write; false when the token stays in memory only.</summary>
    public async Task<bool> WriteTokenAsync(TokenCacheKey key, CachedToken token, TokenEntityContext context, CancellationToken cancellationToken)
    {
        SealedToken? sealedToken;
        try
        {
            sealedToken = await _protector.SealAsync(key, token, cancellationToken);
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _diagnostics.Failed("seal", key.PartitionKey, ex);
            sealedToken = null;
        }

        if (sealedToken is null)
        {
            // No key, no shared tier: the token is still served from memory. The lease is released.
            await RecordFailureAsync(key, "encryption_key_unavailable", null, null, cancellationToken);
            return false;
        }

        var entity = TokenEntity.ToEntity(key, token, sealedToken, context);
        if (entity is null)
        {
            _diagnostics.TokenTooLarge(key.PartitionKey, TokenEntity.MaxTokenBytes);
            await RecordFailureAsync(key, "token_too_large", null, null, cancellationToken);
            return false;
        }

        try
        {
            await EnsureTableAsync(cancellationToken);
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (Exception ex) when (StoreDiagnostics.IsStorageFailure(ex, cancellationToken))
        {
            _tableReady = false;
            _diagnostics.Failed("write", key.PartitionKey, ex);
            return false;
        }
    }
}
