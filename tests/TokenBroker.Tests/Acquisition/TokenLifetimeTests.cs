using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.Acquisition;

namespace TokenBroker.Tests.Acquisition;

public sealed class TokenLifetimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Max = TimeSpan.FromHours(24);

    private static TokenLifetime Resolve(string json, string token = "opaque-token") =>
        TokenLifetime.Resolve(JsonDocument.Parse(json).RootElement, token, Now, Max);

    [Theory]
    [InlineData("""{"expires_in":3600}""", 3600)]
    [InlineData("""{"expires_in":"3600"}""", 3600)]
    [InlineData("""{"expires_in":3599.9}""", 3599)]
    [InlineData("""{"expires_in":"1e3"}""", 1000)]
    public void A_positive_expires_in_sets_the_expiry(string json, int seconds)
    {
        var lifetime = Resolve(json);
        Assert.True(lifetime.Cacheable);
        Assert.False(lifetime.Rejected);
        Assert.Equal(Now.AddSeconds(seconds), lifetime.ExpiresOn);
    }

    [Theory]
    [InlineData("""{"expires_in":315360000}""")]
    [InlineData("""{"expires_in":1e300}""")]
    [InlineData("""{"expires_in":"99999999999999999999999"}""")]
    public void An_absurd_expires_in_is_clamped_to_the_maximum(string json)
    {
        var lifetime = Resolve(json);
        Assert.True(lifetime.Cacheable);
        Assert.Equal(Now + Max, lifetime.ExpiresOn);
        Assert.Contains("clamped", lifetime.Problem);
    }

    [Theory]
    [InlineData("""{"expires_in":0}""")]
    [InlineData("""{"expires_in":-60}""")]
    [InlineData("""{"expires_in":"-1"}""")]
    [InlineData("""{"expires_in":0.5}""")]
    [InlineData("""{"expires_in":0.999}""")]
    [InlineData("""{"expires_in":"0.5"}""")]
    [InlineData("""{"expires_in":1e-3}""")]
    public void An_expires_in_under_one_second_rejects_the_token(string json)
    {
        // RFC 6749 §5.1: expires_in is the lifetime in seconds; a fraction floors to whole seconds, and zero is expired.
        var lifetime = Resolve(json);
        Assert.True(lifetime.Rejected);
        Assert.False(lifetime.Cacheable);
    }

    [Theory]
    [InlineData("""{"expires_in":0}""")]
    [InlineData("""{"expires_in":0.5}""")]
    public void An_expires_in_under_one_second_rejects_the_token_even_when_its_exp_claim_is_later(string json)
    {
        var lifetime = Resolve(json, Jwt(Now.AddMinutes(30)));
        Assert.True(lifetime.Rejected);
        Assert.False(lifetime.Cacheable);
    }

    [Fact]
    public void An_expires_in_of_one_and_a_half_seconds_is_one_second()
    {
        var lifetime = Resolve("""{"expires_in":1.5}""");
        Assert.True(lifetime.Cacheable);
        Assert.Equal(Now.AddSeconds(1), lifetime.ExpiresOn);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"expires_in":"soon"}""")]
    [InlineData("""{"expires_in":null}""")]
    [InlineData("""{"expires_in":true}""")]
    [InlineData("""{"expires_in":"NaN"}""")]
    public void A_missing_or_unreadable_expires_in_on_an_opaque_token_is_served_but_never_cached(string json)
    {
        var lifetime = Resolve(json);
        Assert.False(lifetime.Cacheable);
        Assert.False(lifetime.Rejected);
        Assert.Equal(Now, lifetime.ExpiresOn);
    }

    [Fact]
    public void A_missing_expires_in_falls_back_to_the_JWT_exp_claim()
    {
        var lifetime = Resolve("{}", Jwt(Now.AddMinutes(30)));
        Assert.True(lifetime.Cacheable);
        Assert.Equal(Now.AddMinutes(30), lifetime.ExpiresOn);
    }

    [Fact]
    public void The_JWT_exp_claim_wins_when_it_is_earlier_than_expires_in()
    {
        var lifetime = Resolve("""{"expires_in":3600}""", Jwt(Now.AddMinutes(10)));
        Assert.Equal(Now.AddMinutes(10), lifetime.ExpiresOn);
    }

    [Fact]
    public void A_JWT_exp_in_the_past_is_ignored_in_favour_of_expires_in()
    {
        var lifetime = Resolve("""{"expires_in":600}""", Jwt(Now.AddMinutes(-10)));
        Assert.Equal(Now.AddMinutes(10), lifetime.ExpiresOn);
    }

    private static string Jwt(DateTimeOffset expires)
    {
        var key = new SymmetricSecurityKey(new byte[32]);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["exp"] = expires.ToUnixTimeSeconds(), ["sub"] = "client" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
