using Microsoft.AspNetCore.Http;
using TokenBroker.Access;

namespace TokenBroker.Functions.Http;

/// <summary>Identifies the caller of an HTTP function from the headers the authenticator reads.</summary>
internal static class CallerAuthenticatorExtensions
{
    public static ValueTask<CallerAuthentication> AuthenticateAsync(this CallerAuthenticator callers, HttpRequest request, CancellationToken cancellationToken) =>
        callers.AuthenticateAsync(request.Headers.Authorization, request.Headers[CallerAuthenticator.EasyAuthHeader], cancellationToken);
}
