namespace TokenBroker.IntegrationTests;

/// <summary>
/// Tokens and secrets never reach a log line or a metric tag. This test drives every path that handles them; the fixture
/// repeats the check over everything the whole run emitted when the run ends.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class LogHygieneTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task No_token_or_secret_appears_in_any_log_line_or_metric_tag()
    {
        var settings = fixture.BrokerSettings();
        settings["TokenBroker:Connections:broken:TokenEndpoint"] = fixture.Authorization.TokenEndpoint.AbsoluteUri;
        settings["TokenBroker:Connections:broken:ClientId"] = AuthorizationServer.ClientId;
        settings["TokenBroker:Connections:broken:SecretName"] = "broken-secret";
        settings["TokenBroker:Connections:broken:Scopes"] = "api.read";
        settings["TokenBroker:Secrets:broken-secret"] = "hygiene-wrong-secret-c81f2e";
        fixture.Sink.AddSensitive("hygiene-wrong-secret-c81f2e");
        await using var broker = await fixture.StartBrokerAsync(settings);

        var tokens = new List<string?>
        {
            (await broker.RequestTokenAsync("demo")).AccessToken,
            (await broker.RequestTokenAsync("demo")).AccessToken,
            (await broker.RequestTokenAsync("demo", new { scope = "api.write" })).AccessToken,
            (await broker.RequestTokenAsync("other")).AccessToken,
        };
        var refused = await broker.RequestTokenAsync("broken");

        Assert.All(tokens, Assert.NotNull);
        Assert.Equal(502, refused.Status);
        Assert.True(fixture.Sink.EmittedCount > 0);
        Assert.True(fixture.Sink.MetricTagCount > 0);
        Assert.Empty(fixture.Sink.Leaks());
        fixture.Sink.AssertNoLeak();
    }
}

public sealed class SensitiveValueSinkTests
{
    [Fact]
    public void The_sink_notices_a_sensitive_value_in_a_log_line_a_truncated_one_and_a_metric_tag()
    {
        using var sink = new SensitiveValueSink();
        const string token = "eyJhbGciOiJSUzI1NiJ9.payload-that-is-long-enough.signature";
        sink.AddSensitive(token);
        var logger = sink.CreateLogger("test");

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "nothing to see");
        Assert.Empty(sink.Leaks());

        var truncated = token[..30];
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "prefix {Value}", truncated);
        Assert.Single(sink.Leaks());
        Assert.Equal(1, sink.LeakCount);
        Assert.Throws<InvalidOperationException>(sink.AssertNoLeak);

        using var meter = new System.Diagnostics.Metrics.Meter("TokenBroker.Test");
        meter.CreateCounter<long>("c").Add(1, new KeyValuePair<string, object?>("tag", token));
        Assert.Equal(2, sink.Leaks().Count);
        Assert.Equal(2, sink.LeakCount);
    }

    [Fact]
    public void A_value_registered_after_it_was_logged_is_still_caught()
    {
        using var sink = new SensitiveValueSink();
        var logger = sink.CreateLogger("test");
        const string secret = "registered-late-secret-value";

        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "oops {Value}", secret);
        Assert.Equal(0, sink.LeakCount);
        sink.AddSensitive(secret);

        Assert.Equal(1, sink.LeakCount);
    }
}
