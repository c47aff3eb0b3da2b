using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TokenBroker.Client.Tests.Support;

namespace TokenBroker.Client.Tests.Internal;

/// <summary>How the broker's answers, RFC 9457 problem documents and worse, become a <see cref="TokenBrokerException"/>.</summary>
public sealed class BrokerHttpClientTests : IDisposable
{
    private readonly ClientHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private void Answer(Func<HttpResponseMessage> response) => _harness.Broker.Respond = (_, _) => Task.FromResult(response());

    private Task<TokenBrokerException> Refusal(string? scope = null) =>
        Assert.ThrowsAsync<TokenBrokerException>(() => _harness.Tokens.GetTokenAsync("payments", scope).AsTask());

    [Fact]
    public async Task A_problem_document_gives_its_code_title_detail_trace_id_and_the_retry_after_header()
    {
        Answer(() =>
        {
            var response = BrokerStub.Problem(HttpStatusCode.ServiceUnavailable, """
                {"type":"about:blank","title":"Upstream unavailable","status":503,"detail":"The authorization server did not answer.",
                 "code":"upstream_unavailable","retry_after":30,"trace_id":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
                """);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        });

        var failure = await Refusal();

        Assert.Equal("payments", failure.Connection);
        Assert.Equal(503, failure.Status);
        Assert.Equal("upstream_unavailable", failure.Code);
        Assert.Equal("Upstream unavailable", failure.Title);
        Assert.Equal("The authorization server did not answer.", failure.Detail);
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", failure.TraceId);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
        Assert.True(failure.IsTransient);
        Assert.Equal("The token broker refused a token for connection 'payments': HTTP 503 upstream_unavailable: The authorization server did not answer.", failure.Message);
    }

    [Fact]
    public async Task An_upstream_rejection_carries_the_oauth_error_and_is_not_transient()
    {
        Answer(() => BrokerStub.Problem(HttpStatusCode.BadGateway, """{"status":502,"code":"upstream_rejected","upstream_error":"invalid_client","detail":"refused"}"""));

        var failure = await Refusal();

        Assert.Equal("upstream_rejected", failure.Code);
        Assert.Equal("invalid_client", failure.UpstreamError);
        Assert.Null(failure.RetryAfter);
        Assert.False(failure.IsTransient);
    }

    [Fact]
    public async Task Without_a_retry_after_header_the_bodys_retry_after_is_used()
    {
        Answer(() => BrokerStub.Problem(HttpStatusCode.ServiceUnavailable, """{"status":503,"code":"secret_unavailable","retry_after":12}"""));

        var failure = await Refusal();

        Assert.Equal(TimeSpan.FromSeconds(12), failure.RetryAfter);
    }

    [Fact]
    public async Task A_retry_after_date_counts_from_the_callers_clock()
    {
        Answer(() =>
        {
            var response = BrokerStub.Problem(HttpStatusCode.TooManyRequests, """{"status":429,"code":"upstream_unavailable"}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(_harness.Time.GetUtcNow().AddSeconds(45));
            return response;
        });

        var failure = await Refusal();

        Assert.Equal(TimeSpan.FromSeconds(45), failure.RetryAfter);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task An_empty_401_from_the_front_end_is_explained_by_its_challenge()
    {
        Answer(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ParseAdd("Bearer error=\"invalid_token\"");
            return response;
        });

        var failure = await Refusal();

        Assert.Equal(401, failure.Status);
        Assert.Null(failure.Code);
        Assert.Equal("WWW-Authenticate: Bearer error=\"invalid_token\"", failure.Detail);
        Assert.False(failure.IsTransient);
    }

    [Fact]
    public async Task A_gateways_html_error_page_leaves_only_the_status()
    {
        Answer(() => new HttpResponseMessage(HttpStatusCode.GatewayTimeout)
        {
            Content = new StringContent("<html><body>504 Gateway Time-out</body></html>", Encoding.UTF8, "text/html"),
        });

        var failure = await Refusal();

        Assert.Equal(504, failure.Status);
        Assert.Null(failure.Code);
        Assert.Null(failure.Detail);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public async Task A_problem_body_that_is_not_json_is_no_crash()
    {
        Answer(() => BrokerStub.Problem(HttpStatusCode.InternalServerError, "{\"code\":\"upst"));

        var failure = await Refusal();

        Assert.Equal(500, failure.Status);
        Assert.Null(failure.Code);
    }

    [Theory]
    [InlineData("""{"token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":"","token_type":"Bearer","expires_in":3600}""")]
    [InlineData("""{"access_token":"abc","expires_in":3600}""")]
    [InlineData("""{"access_token":"abc","token_type":"Bearer"}""")]
    [InlineData("""{"access_token":"abc",""")]
    [InlineData("""[]""")]
    public async Task A_success_that_is_not_a_token_response_is_refused_without_quoting_it(string body)
    {
        Answer(() => BrokerStub.Json(HttpStatusCode.OK, body));

        var failure = await Refusal();

        Assert.Equal(200, failure.Status);
        Assert.Equal("The token broker's answer for connection 'payments' is not a token response.", failure.Message);
        Assert.Contains(_harness.Logs.Collector.GetSnapshot(), record => record.Id.Id == 10005);
    }

    [Fact]
    public async Task A_lifetime_beyond_a_year_is_bounded()
    {
        Answer(() => BrokerStub.Token("forever", expiresIn: long.MaxValue));

        var token = await _harness.Tokens.GetTokenAsync("payments");

        Assert.Equal(_harness.Time.GetUtcNow().AddDays(366), token.ExpiresOn);
    }
}
