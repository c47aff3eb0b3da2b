using System.Net.Http.Headers;
using System.Text;
using Duende.IdentityModel.Client;

namespace TokenBroker.Acquisition;

/// <summary>
/// Registered inside the token endpoint's resilience pipeline, so it runs once per attempt: a retried request gets a new
/// client assertion (new jti, new iat) from the request's <see cref="ProtocolRequest.ClientAssertionFactory"/> instead of
/// replaying the first one, which servers that remember jti values (RFC 7523 §3, item 7) refuse with invalid_client.
/// </summary>
internal sealed class ClientAssertionRetryHandler : DelegatingHandler
{
    /// <summary>Marks a request whose assertion must be fresh on every attempt, and counts the attempts.</summary>
    public static readonly HttpRequestOptionsKey<AttemptCounter> Attempts = new("TokenBroker.ClientAssertionAttempts");

    private const string AssertionField = "client_assertion=";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Attempts, out var attempts)
            && attempts.Next() > 1
            && request.Options.TryGetValue(ProtocolRequestOptions.ClientAssertionFactory, out var factory)
            && factory is not null
            && request.Content is { } content
            && (await factory())?.Value is { Length: > 0 } assertion)
        {
            request.Content = await ReplaceAssertionAsync(content, assertion, cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private static async Task<HttpContent> ReplaceAssertionAsync(HttpContent content, string assertion, CancellationToken cancellationToken)
    {
        var form = await content.ReadAsStringAsync(cancellationToken);
        var fields = form.Split('&');
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].StartsWith(AssertionField, StringComparison.Ordinal))
            {
                fields[i] = AssertionField + Uri.EscapeDataString(assertion);
            }
        }

        var replacement = new ByteArrayContent(Encoding.ASCII.GetBytes(string.Join('&', fields)));
        replacement.Headers.ContentType = content.Headers.ContentType ?? new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return replacement;
    }

    /// <summary>Shared by every attempt of one request (the pipeline may copy the request, but not this object).</summary>
    internal sealed class AttemptCounter
    {
        private int _attempts;

        public int Next() => Interlocked.Increment(ref _attempts);
    }
}
