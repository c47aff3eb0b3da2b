using System.Net;
using System.Net.Http.Json;
using TokenBroker.Client.Tests.Support;

namespace TokenBroker.Client.Tests.Internal;

/// <summary>An <see cref="HttpClient"/> set up with <c>AddBrokeredToken</c>: the token on every request, and one retry on 401.</summary>
public sealed class BrokeredTokenHandlerTests : IDisposable
{
    private readonly ClientHarness _harness = new();
    private int _issued;

    public BrokeredTokenHandlerTests()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Token($"token-{Interlocked.Increment(ref _issued)}"));
    }

    public void Dispose() => _harness.Dispose();

    /// <summary>The downstream API accepts only <paramref name="accepted"/> and answers 401 to any other token.</summary>
    private void DownstreamAccepts(string accepted) => _harness.Downstream.Respond = (request, _) =>
        Task.FromResult(new HttpResponseMessage(request.Authorization == "Bearer " + accepted ? HttpStatusCode.OK : HttpStatusCode.Unauthorized));

    [Fact]
    public async Task Every_request_carries_the_brokered_token_and_the_token_is_fetched_once()
    {
        using var first = await _harness.DownstreamClient.GetAsync(new Uri("orders/1", UriKind.Relative));
        using var second = await _harness.DownstreamClient.GetAsync(new Uri("orders/2", UriKind.Relative));

        Assert.All(_harness.Downstream.Requests, request => Assert.Equal("Bearer token-1", request.Authorization));
        Assert.Equal(2, _harness.Downstream.Count);
        Assert.Equal(1, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_401_fetches_the_token_anew_and_sends_the_request_once_more_with_it()
    {
        DownstreamAccepts("token-2");

        using var response = await _harness.DownstreamClient.PostAsJsonAsync(new Uri("orders", UriKind.Relative), new { amount = 12 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], _harness.Downstream.Requests.Select(r => r.Authorization));
        Assert.All(_harness.Downstream.Requests, request => Assert.Equal("""{"amount":12}""", request.Body));
        Assert.Equal(2, _harness.Broker.Count);
    }

    [Fact]
    public async Task A_downstream_that_keeps_refusing_gets_one_retry_and_its_401_is_returned()
    {
        DownstreamAccepts("never");

        using var response = await _harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _harness.Downstream.Count);
    }

    [Fact]
    public async Task A_streamed_body_is_not_sent_twice_but_the_next_request_carries_the_new_token()
    {
        DownstreamAccepts("token-2");

        using var refused = await _harness.DownstreamClient.PostAsync(new Uri("upload", UriKind.Relative), new StreamContent(new MemoryStream([1, 2, 3])));
        using var next = await _harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], _harness.Downstream.Requests.Select(r => r.Authorization));
        Assert.Contains(_harness.Logs.Collector.GetSnapshot(), record => record.Id.Id == 10008);
    }

    [Fact]
    public async Task A_multipart_body_of_strings_is_sent_again()
    {
        DownstreamAccepts("token-2");
        using var form = new MultipartFormDataContent { { new StringContent("12"), "amount" } };

        using var response = await _harness.DownstreamClient.PostAsync(new Uri("orders", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _harness.Downstream.Count);
    }

    [Fact]
    public async Task The_scope_configured_for_the_client_is_asked_of_the_broker()
    {
        using var harness = new ClientHarness(downstream: options => options.Scope = "orders.write orders.read");

        using var response = await harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Equal("""{"scope":"orders.read orders.write"}""", Assert.Single(harness.Broker.Requests).Body);
    }

    [Fact]
    public async Task A_client_with_a_scope_shares_its_cached_token_with_the_provider_asked_for_the_same_scopes_in_any_order()
    {
        // The handler makes its key once, normalized: the same cache entry as the provider's for "orders.read orders.write".
        using var harness = new ClientHarness(downstream: options => options.Scope = "orders.write orders.read");
        using var first = await harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative));
        using var second = await harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative));

        var fromProvider = await harness.Tokens.GetTokenAsync("PAYMENTS", "orders.read  orders.write");

        Assert.Single(harness.Broker.Requests);
        Assert.Equal(2, harness.Downstream.Count);
        Assert.NotNull(fromProvider.AccessToken);
    }

    [Fact]
    public async Task A_broker_refusal_surfaces_from_SendAsync_and_nothing_goes_downstream()
    {
        _harness.Broker.Respond = (_, _) => Task.FromResult(BrokerStub.Problem(HttpStatusCode.Forbidden, """{"status":403,"code":"caller_not_allowed"}"""));

        var failure = await Assert.ThrowsAsync<TokenBrokerException>(() => _harness.DownstreamClient.GetAsync(new Uri("orders", UriKind.Relative)));

        Assert.Equal("caller_not_allowed", failure.Code);
        Assert.Equal(0, _harness.Downstream.Count);
    }

    [Fact]
    public void The_synchronous_Send_is_refused_rather_than_sent_without_a_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("orders", UriKind.Relative));

        Assert.Throws<NotSupportedException>(() => _harness.DownstreamClient.Send(request));
        Assert.Equal(0, _harness.Downstream.Count);
    }
}
