using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddKey;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Applications.Item.RemoveKey;
using Microsoft.Graph.Applications.Item.RemovePassword;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using TokenBroker.Diagnostics;

namespace TokenBroker.Lifecycle;

/// <summary>
/// The operations the credential lifecycle needs on an Entra ID app registration, through Microsoft Graph with the
/// broker's own identity: read its credentials, add and remove client secrets, add and remove certificates. The
/// identity needs <c>Application.ReadWrite.OwnedBy</c> and ownership of the application, nothing broader. Every failure
/// is an <see cref="AppRegistrationException"/>; a secret addPassword returns is never logged nor put in one.
/// </summary>
internal sealed partial class AppRegistrationClient(GraphServiceClient graph, GraphProof proof, ILogger<AppRegistrationClient> logger)
{
    private static readonly string[] SelectedProperties = ["id", "appId", "passwordCredentials", "keyCredentials"];

    /// <summary>The application's credentials, by its application (client) id.</summary>
    public async Task<AppRegistration> GetAsync(string appId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        var application = await CallAsync("get", appId, () => graph.ApplicationsWithAppId(appId).GetAsync(
            request => request.QueryParameters.Select = SelectedProperties, cancellationToken), cancellationToken);
        if (application?.Id is not { Length: > 0 } objectId)
        {
            throw new AppRegistrationException("get", appId, AppRegistrationError.Unavailable, 200, null);
        }

        return new AppRegistration(
            application.AppId ?? appId,
            objectId,
            [.. (application.PasswordCredentials ?? []).Where(p => p.KeyId is not null).Select(ToRegistered)],
            [.. (application.KeyCredentials ?? []).Where(k => k.KeyId is not null).Select(ToRegistered)]);
    }

    /// <summary>Creates a client secret valid until <paramref name="endsOn"/>; its value is in the result only.</summary>
    public async Task<AddedSecret> AddSecretAsync(AppRegistration application, string displayName, DateTimeOffset endsOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var body = new AddPasswordPostRequestBody
        {
            PasswordCredential = new PasswordCredential { DisplayName = displayName, EndDateTime = endsOn },
        };
        var added = await CallAsync("addPassword", application.AppId, () => graph.Applications[application.ObjectId].AddPassword.PostAsync(body, cancellationToken: cancellationToken), cancellationToken);
        if (added?.KeyId is null || string.IsNullOrEmpty(added.SecretText))
        {
            throw new AppRegistrationException("addPassword", application.AppId, AppRegistrationError.Unavailable, 200, null);
        }

        var credential = ToRegistered(added);
        Log.SecretAdded(logger, credential.KeyId, application.AppId, credential.EndsOn);
        return new AddedSecret(credential, added.SecretText);
    }

    /// <summary>Removes the client secret <paramref name="keyId"/>; false when the application no longer has it.</summary>
    public async Task<bool> RemoveSecretAsync(AppRegistration application, Guid keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var removed = await RemoveAsync("removePassword", application.AppId, () => graph.Applications[application.ObjectId].RemovePassword.PostAsync(
            new RemovePasswordPostRequestBody { KeyId = keyId }, cancellationToken: cancellationToken), cancellationToken);
        if (removed)
        {
            Log.SecretRemoved(logger, keyId, application.AppId);
        }

        return removed;
    }

    /// <summary>
    /// Registers <paramref name="certificate"/>'s public key, proving possession with <paramref name="signingCertificate"/>,
    /// one of the application's current certificates (with its private key). Graph takes the validity dates from the certificate.
    /// </summary>
    public async Task<RegisteredKey> AddKeyAsync(AppRegistration application, X509Certificate2 certificate, X509Certificate2 signingCertificate, string displayName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(certificate);
        var body = new AddKeyPostRequestBody
        {
            // The public certificate only: a private key never leaves the vault.
            KeyCredential = new KeyCredential { Type = "AsymmetricX509Cert", Usage = "Verify", Key = certificate.Export(X509ContentType.Cert), DisplayName = displayName },
            Proof = proof.Create(application.ObjectId, signingCertificate),
        };
        var added = await CallAsync("addKey", application.AppId, () => graph.Applications[application.ObjectId].AddKey.PostAsync(body, cancellationToken: cancellationToken), cancellationToken);
        if (added?.KeyId is null)
        {
            throw new AppRegistrationException("addKey", application.AppId, AppRegistrationError.Unavailable, 200, null);
        }

        var key = ToRegistered(added);
        Log.KeyAdded(logger, key.KeyId, key.Thumbprint, application.AppId);
        return key;
    }

    /// <summary>Removes the certificate <paramref name="keyId"/>, proving possession with a current one; false when it is gone already.</summary>
    public async Task<bool> RemoveKeyAsync(AppRegistration application, Guid keyId, X509Certificate2 signingCertificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var body = new RemoveKeyPostRequestBody { KeyId = keyId, Proof = proof.Create(application.ObjectId, signingCertificate) };
        var removed = await RemoveAsync("removeKey", application.AppId, () => graph.Applications[application.ObjectId].RemoveKey.PostAsync(body, cancellationToken: cancellationToken), cancellationToken);
        if (removed)
        {
            Log.KeyRemoved(logger, keyId, application.AppId);
        }

        return removed;
    }

    // Graph answers a removal of a credential the application no longer has with 404: the removal is already done, which
    // makes a resumed rotation step idempotent.
    private async Task<bool> RemoveAsync(string operation, string appId, Func<Task> call, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(operation, appId, async () =>
            {
                await call();
                return true;
            }, cancellationToken);
            return true;
        }
        catch (AppRegistrationException e) when (e.Error == AppRegistrationError.NotFound)
        {
            return false;
        }
    }

    private async Task<T> CallAsync<T>(string operation, string appId, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (ODataError e)
        {
            throw Failed(operation, appId, e.ResponseStatusCode, e.Error?.Code, e);
        }
        catch (ApiException e)
        {
            throw Failed(operation, appId, e.ResponseStatusCode, null, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Refused, reset, cut short, not JSON, or out of time: Graph did not answer as Graph.
            throw Failed(operation, appId, null, null, e);
        }
    }

    private AppRegistrationException Failed(string operation, string appId, int? status, string? code, Exception inner)
    {
        var error = status switch
        {
            null => AppRegistrationError.Unavailable,
            401 => AppRegistrationError.Unauthenticated,
            403 => AppRegistrationError.Forbidden,
            404 => AppRegistrationError.NotFound,
            408 or 429 or >= 500 => AppRegistrationError.Unavailable,
            >= 400 => AppRegistrationError.Rejected,
            _ => AppRegistrationError.Unavailable,
        };
        Log.CallFailed(logger, operation, appId, error, status, code);
        return new AppRegistrationException(operation, appId, error, status, code, inner);
    }

    private static RegisteredSecret ToRegistered(PasswordCredential password) =>
        new(password.KeyId!.Value, password.DisplayName, password.StartDateTime, password.EndDateTime);

    private static RegisteredKey ToRegistered(KeyCredential key) =>
        new(key.KeyId!.Value, key.DisplayName, key.CustomKeyIdentifier is { Length: > 0 } id ? Convert.ToHexString(id) : null, key.StartDateTime, key.EndDateTime);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.GraphSecretAdded, Level = LogLevel.Information, Message = "Graph: added client secret {KeyId} to application {AppId}, valid until {EndsOn:O}")]
        public static partial void SecretAdded(ILogger logger, Guid keyId, string appId, DateTimeOffset? endsOn);

        [LoggerMessage(EventId = EventIds.GraphSecretRemoved, Level = LogLevel.Information, Message = "Graph: removed client secret {KeyId} from application {AppId}")]
        public static partial void SecretRemoved(ILogger logger, Guid keyId, string appId);

        [LoggerMessage(EventId = EventIds.GraphKeyAdded, Level = LogLevel.Information, Message = "Graph: added certificate {KeyId} (thumbprint {Thumbprint}) to application {AppId}")]
        public static partial void KeyAdded(ILogger logger, Guid keyId, string? thumbprint, string appId);

        [LoggerMessage(EventId = EventIds.GraphKeyRemoved, Level = LogLevel.Information, Message = "Graph: removed certificate {KeyId} from application {AppId}")]
        public static partial void KeyRemoved(ILogger logger, Guid keyId, string appId);

        [LoggerMessage(EventId = EventIds.GraphCallFailed, Level = LogLevel.Warning, Message = "Graph: {Operation} on application {AppId} failed: {Error} (status {Status}, code {GraphCode})")]
        public static partial void CallFailed(ILogger logger, string operation, string appId, AppRegistrationError error, int? status, string? graphCode);
    }
}
