using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace TokenBroker.Client.Internal;

/// <summary>
/// Binds the <c>TokenBrokerClient</c> section of the app's configuration, when the app has one. A container without an
/// <see cref="IConfiguration"/> (a console tool, a test) is no error: the options then come from code alone.
/// </summary>
internal sealed class TokenBrokerClientConfiguration(IConfiguration? configuration = null) : IConfigureOptions<TokenBrokerClientOptions>
{
    public void Configure(TokenBrokerClientOptions options) =>
        configuration?.GetSection(TokenBrokerClientOptions.SectionName).Bind(options);
}
