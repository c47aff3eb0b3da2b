using Microsoft.Extensions.Logging;
using TokenBroker.Client;
using TokenBroker.Client.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts brokered tokens on the requests of an <see cref="HttpClient"/>.</summary>
public static class BrokeredTokenHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends every request of this client with <c>Authorization: Bearer</c> and a token the broker hands out for
    /// <paramref name="connection"/>'s default scopes.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(...)</c>.</param>
    /// <param name="connection">The connection's name, as configured in the broker.</param>
    /// <returns>The builder.</returns>
    /// <remarks>See <see cref="AddBrokeredToken(IHttpClientBuilder, string, Action{BrokeredTokenOptions})"/>.</remarks>
    public static IHttpClientBuilder AddBrokeredToken(this IHttpClientBuilder builder, string connection) =>
        builder.AddBrokeredToken(connection, static _ => { });

    /// <summary>
    /// Sends every request of this client with <c>Authorization: Bearer</c> and a token the broker hands out for
    /// <paramref name="connection"/>.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(...)</c>.</param>
    /// <param name="connection">The connection's name, as configured in the broker.</param>
    /// <param name="configure">Sets the scopes to ask for.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// <para>
    /// When the downstream API answers 401, the handler fetches the token anew from the broker (skipping this process's cache)
    /// and sends the request once more. A request body is not buffered for that: only requests without a body or with a body
    /// that can be sent twice (<see cref="ByteArrayContent"/> and so <see cref="StringContent"/>, <see cref="ReadOnlyMemoryContent"/>,
    /// <c>JsonContent</c>, multipart bodies of those) are retried; for any other body, such as a <see cref="StreamContent"/>,
    /// the 401 is returned and the next request carries the new token.
    /// </para>
    /// <para>
    /// When the token cannot be had, <c>SendAsync</c> throws <see cref="TokenBrokerException"/>. A resilience handler added
    /// before this one (so outside it) sees that exception and the downstream's responses; one added after it sees only the
    /// downstream's. Calls of the client are <c>SendAsync</c> only: the synchronous <c>Send</c> throws.
    /// </para>
    /// <para>Also registers what <c>AddTokenBrokerClient</c> does, so configuration in the <c>TokenBrokerClient</c> section is enough.</para>
    /// </remarks>
    public static IHttpClientBuilder AddBrokeredToken(this IHttpClientBuilder builder, string connection, Action<BrokeredTokenOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        ArgumentNullException.ThrowIfNull(configure);

        // Read once here: the handler's scope is part of how this client is built, not something that changes at run time.
        var options = new BrokeredTokenOptions();
        configure(options);
        var scope = options.Scope;

        TokenBrokerClientServiceCollectionExtensions.AddCore(builder.Services);
        return builder.AddHttpMessageHandler(services => new BrokeredTokenHandler(
            services.GetRequiredService<IBrokeredTokenProvider>(),
            connection,
            scope,
            services.GetRequiredService<ILogger<BrokeredTokenHandler>>()));
    }
}
