using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using Application = OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// The OpenIddict application manager, except that a client secret is valid when it is any of the
/// client's current secrets in <see cref="DevClientSecrets"/>, rather than the one hash in the store,
/// and a client's keys for client assertions are those of its current <see cref="DevClientCertificates"/>.
/// </summary>
internal sealed class MultiSecretApplicationManager(
    IOpenIddictApplicationCache<Application> cache,
    ILogger<OpenIddictApplicationManager<Application>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<Application> store,
    DevClientSecrets secrets,
    DevClientCertificates certificates)
    : OpenIddictApplicationManager<Application>(cache, logger, options, store)
{
    public override async ValueTask<JsonWebKeySet?> GetJsonWebKeySetAsync(
        Application application, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        var clientId = await GetClientIdAsync(application, cancellationToken);
        return clientId is null ? null : certificates.KeySetOf(clientId);
    }

    public override async ValueTask<bool> ValidateClientSecretAsync(
        Application application, string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentException.ThrowIfNullOrEmpty(secret);

        // Same rule as the base class: a public client has no secret to validate.
        if (await HasClientTypeAsync(application, OpenIddictConstants.ClientTypes.Public, cancellationToken))
        {
            return false;
        }

        var clientId = await GetClientIdAsync(application, cancellationToken);
        return clientId is not null && secrets.IsValid(clientId, secret);
    }
}
