using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Credentials;
using TokenBroker.Diagnostics;
using TokenBroker.Secrets;

namespace TokenBroker.Caching;

/// <summary>
/// Checks once, at start-up, what would otherwise fail quietly on every request: the cache key secret (missing, or too
/// weak to seal tokens with) and the table (a 403 means the identity lacks its role). Outside Development a missing or
/// weak key stops start-up; in Development it is said loudly, once. The table is probed in the background, so a slow
/// Storage never delays start-up; what it finds is logged and shown in the ops listing (<see cref="SharedTierState"/>).
/// The key is read before any hosted service starts and judged only once they all have, the web server included: the
/// Key Vault read runs beside the rest of start-up instead of before it, and a first request that comes meanwhile shares
/// that same read (<see cref="CredentialCache"/> runs one read per secret) rather than paying for another.
/// </summary>
internal sealed partial class SharedTierCheck(
    CredentialCache credentials,
    TableClient table,
    SharedTierState state,
    IOptions<TokenCacheOptions> options,
    IHostEnvironment environment,
    ILogger<SharedTierCheck> logger) : IHostedLifecycleService, IDisposable
{
    private const string KeyName = TokenCacheOptions.SectionName + ":EncryptionKeySecretName";
    private static readonly TimeSpan KeyReadBound = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<string?>? _keyCheck;
    private volatile bool _keyRead;

    /// <summary>
    /// Completes once the start-up checks are over: true when the key was read and is usable and the table answered, so a
    /// read of the shared tier now costs what a request's would (the start-up warm-up waits for it); false otherwise.
    /// </summary>
    internal Task<bool> Ready => _ready.Task;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Not the start-up token: the reads outlive this call (the key's is bounded by KeyReadBound).
        _keyCheck = CheckCacheKeyAsync(_stopping.Token);
        _ = ProbeTableWhenKeyCheckedAsync(_keyCheck, _stopping.Token);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var keyCheck = _keyCheck ?? throw new InvalidOperationException("The host did not call StartingAsync.");
        var keyProblem = await keyCheck.WaitAsync(cancellationToken);
        if (keyProblem is not null)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException($"{KeyName}: {keyProblem} Without it every instance fetches its own tokens; set the secret or fix the name.");
            }

            Log.CacheKeyMissingInDevelopment(logger, KeyName, options.Value.EncryptionKeySecretName, keyProblem);
            state.Set("no_cache_key", keyProblem);
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    // Beside the rest of start-up, the probe also opens the table's connection (and in Azure gets the identity's token for
    // Storage) before the first request needs them. A key check stopped by shutdown skips it; StartedAsync reports the rest.
    private async Task ProbeTableWhenKeyCheckedAsync(Task<string?> keyCheck, CancellationToken cancellationToken)
    {
        try
        {
            string? keyProblem;
            try
            {
                keyProblem = await keyCheck;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ProbeTableAsync(keyProblem is null, cancellationToken);
            _ready.TrySetResult(_keyRead && keyProblem is null && state.Status == "ok");
        }
        finally
        {
            // Whatever stopped the checks, whoever waits on them is not left waiting.
            _ready.TrySetResult(false);
        }
    }

    /// <summary>Reads the table once and records what it found; also used by the ops listing to show the state now.</summary>
    internal async Task ProbeTableAsync(bool keyUsable, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
            {
                break;
            }

            if (keyUsable)
            {
                state.Set("ok");
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: the first write creates it.
            if (keyUsable)
            {
                state.Set("ok");
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            Log.TableForbidden(logger, table.Name, ex.ErrorCode ?? "(none)");
            state.Set("forbidden", $"Table Storage refused the broker identity ({ex.ErrorCode ?? "403"}); it needs Storage Table Data Contributor on the table.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TableUnavailable(logger, table.Name, ex.GetType().Name);
            state.Set("unavailable", "Table Storage could not be reached; each instance fetches for itself until it can.");
        }
    }

    private async Task<string?> CheckCacheKeyAsync(CancellationToken cancellationToken)
    {
        var name = options.Value.EncryptionKeySecretName;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(KeyReadBound);
        try
        {
            var secret = await credentials.GetSecretAsync(name, bound.Token);
            _keyRead = true;
            return IsStrongKey(secret.Value) ? null : $"the secret '{name}' is too weak to seal tokens: use 32 random bytes in base64 (for example `openssl rand -base64 32`).";
        }
        catch (SecretUnavailableException ex) when (IsMissing(ex))
        {
            return $"the secret '{name}' does not exist ({ex.Reason}).";
        }
        catch (Exception ex) when (ex is SecretUnavailableException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The vault is down or slow: the key may well exist. Not a reason to refuse to start; requests will tell.
            Log.CacheKeyUnchecked(logger, name, ex is SecretUnavailableException unavailable ? unavailable.Reason : "no answer in time");
            return null;
        }
    }

    private static bool IsMissing(SecretUnavailableException ex) =>
        ex.InnerException is RequestFailedException { Status: 404 } || ex.Reason.StartsWith("not found", StringComparison.Ordinal);

    /// <summary>
    /// 32 or more random bytes in base64, or a long value of many distinct characters. A placeholder ("changeme",
    /// "secret", a repeated character) would be stretched into a key anyone can derive.
    /// </summary>
    internal static bool IsStrongKey(string value)
    {
        var bytes = new byte[(value.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(value, bytes, out var written) && written >= 32 && bytes.AsSpan(0, written).ToArray().Distinct().Count() >= 16)
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(bytes);
        return value.Length >= 32 && value.Distinct().Count() >= 16;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CacheKeyMissingInDevelopment, Level = LogLevel.Error, Message = "{Key}: the token cache key secret {SecretName} is not usable ({Problem}). DEVELOPMENT ONLY: the shared token cache is OFF, and every instance fetches its own tokens. Outside Development the broker refuses to start.")]
        public static partial void CacheKeyMissingInDevelopment(ILogger logger, string key, string secretName, string problem);

        [LoggerMessage(EventId = EventIds.CacheKeyUnchecked, Level = LogLevel.Warning, Message = "The token cache key secret {SecretName} could not be checked at start-up ({Reason}); it is read again on first use")]
        public static partial void CacheKeyUnchecked(ILogger logger, string secretName, string reason);

        [LoggerMessage(EventId = EventIds.TableForbidden, Level = LogLevel.Error, Message = "Table Storage refused the broker identity on table {Table} ({ErrorCode}): the shared token cache is OFF until the identity has Storage Table Data Contributor")]
        public static partial void TableForbidden(ILogger logger, string table, string errorCode);

        [LoggerMessage(EventId = EventIds.TableUnavailable, Level = LogLevel.Warning, Message = "Table Storage could not be reached on table {Table} at start-up ({ErrorType}); each instance fetches for itself until it can")]
        public static partial void TableUnavailable(ILogger logger, string table, string errorType);
    }
}
