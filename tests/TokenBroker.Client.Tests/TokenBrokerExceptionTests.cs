namespace TokenBroker.Client.Tests;

public sealed class TokenBrokerExceptionTests
{
    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(500, false)]
    [InlineData(502, false)]
    public void Only_statuses_that_may_succeed_later_are_transient(int status, bool transient)
    {
        Assert.Equal(transient, new TokenBrokerException("refused") { Status = status }.IsTransient);
    }

    [Fact]
    public void Without_an_answer_a_network_failure_or_a_timeout_is_transient_and_anything_else_is_not()
    {
        Assert.True(new TokenBrokerException("unreachable", new HttpRequestException("refused")).IsTransient);
        Assert.True(new TokenBrokerException("slow", new TimeoutException()).IsTransient);
        Assert.False(new TokenBrokerException("caller token", new InvalidOperationException()).IsTransient);
        Assert.False(new TokenBrokerException().IsTransient);
    }
}
