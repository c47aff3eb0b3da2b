using System.Text;
using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Tests.Caching;

public sealed class TokenEntityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static SealedToken Seal(CachedToken token) => Seal(token.AccessToken);

    // The layout does not care what the bytes are; TokenProtectorTests cover the encryption.
    private static SealedToken Seal(string token) => new("key-1", new byte[12], Encoding.UTF8.GetBytes(token), new byte[16]);

    private static readonly TokenEntityContext Context = new("a", "c", new Uri("https://x.test/token"), Now.AddMinutes(45), Now);
    private static readonly TokenCacheKey Key = TokenCacheKey.Create("payments", new Uri("https://x.test/token"), "c", ClientAuthMethod.ClientSecretBasic, ScopeSet.Parse("a"));

    [Theory]
    [InlineData(10)]
    [InlineData(TokenEntity.ChunkBytes)]
    [InlineData(TokenEntity.ChunkBytes + 1)]
    [InlineData(200 * 1024)]
    [InlineData(TokenEntity.MaxTokenBytes)]
    public void Tokens_of_any_storable_size_round_trip(int size)
    {
        var token = new CachedToken(new string('t', size), "Bearer", "a", Now, Now.AddHours(1), "v7");

        var entity = TokenEntity.ToEntity(Key, token, Seal(token), Context)!;
        var read = TokenEntity.FromEntity(entity);

        Assert.Null(read.Problem);
        Assert.Equal(token.AccessToken, Encoding.UTF8.GetString(read!.Sealed!.Ciphertext));
        Assert.Equal("key-1", read.Sealed.KeyId);
        Assert.Equal(token.ExpiresOn, read.Metadata!.ExpiresOn);
        Assert.Equal("v7", read.Metadata.SecretVersion);
        Assert.Equal(Now.AddMinutes(45), read.RefreshAt);
        Assert.Equal("a", read.RequestedScope);
        Assert.All(entity.Where(p => p.Value is byte[]), p => Assert.True(((byte[])p.Value).Length <= TokenEntity.ChunkBytes));
    }

    [Fact]
    public void Multi_byte_characters_split_across_chunks_survive()
    {
        var value = string.Concat(Enumerable.Repeat("ü€😀", 30_000));
        var token = new CachedToken(value, "Bearer", "a", Now, Now.AddHours(1), "v");

        var read = TokenEntity.FromEntity(TokenEntity.ToEntity(Key, token, Seal(token), Context)!);

        Assert.Equal(value, Encoding.UTF8.GetString(read!.Sealed!.Ciphertext));
    }

    [Fact]
    public void A_token_larger_than_an_entity_can_hold_is_refused()
    {
        var token = new CachedToken(new string('t', TokenEntity.MaxTokenBytes + 1), "Bearer", "a", Now, Now.AddHours(1), "v");
        Assert.Null(TokenEntity.ToEntity(Key, token, Seal(token), Context));
    }

    [Fact]
    public void An_entity_with_missing_chunks_is_unreadable_not_wrong()
    {
        var token = new CachedToken(new string('t', 100_000), "Bearer", "a", Now, Now.AddHours(1), "v");
        var entity = TokenEntity.ToEntity(Key, token, Seal(token), Context)!;
        entity.Remove(TokenEntity.ChunkName(1));

        var read = TokenEntity.FromEntity(entity);
        Assert.Null(read.Sealed);
        Assert.NotNull(read.Problem);
    }

    [Fact]
    public void A_lease_placeholder_has_no_token_but_names_its_holder()
    {
        var read = TokenEntity.FromEntity(TokenEntity.Placeholder(Key, "a", "instance-1", Now.AddSeconds(30), Now));

        Assert.Null(read.Problem);
        Assert.Null(read.Token);
        Assert.Equal("instance-1", read.LeaseOwner);
        Assert.True(read.IsLeasedByOther("instance-2", Now));
        Assert.False(read.IsLeasedByOther("instance-1", Now));
        Assert.False(read.IsLeasedByOther("instance-2", Now.AddSeconds(31)));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(2)]
    public void An_entity_of_another_format_is_a_miss_that_keeps_its_etag(int format)
    {
        var entity = TokenEntity.ToEntity(Key, new CachedToken("t", "Bearer", "a", Now, Now.AddHours(1), "v"), Seal("t"), Context)!;
        entity[TokenEntity.Format] = format;
        entity.ETag = new Azure.ETag("W/\"1\"");

        var read = TokenEntity.FromEntity(entity);

        Assert.Equal("unknown format", read.Problem);
        Assert.Null(read.Sealed);
        Assert.Equal(entity.ETag, read.ETag);
    }

    [Theory]
    [InlineData(TokenEntity.Format, "3")]
    [InlineData(TokenEntity.ExpiresOn, "2099-01-01")]
    [InlineData(TokenEntity.Chunks, 1L)]
    [InlineData(TokenEntity.LeaseUntil, 5)]
    [InlineData(TokenEntity.RejectedUntil, "soon")]
    [InlineData(TokenEntity.Nonce, "AAAA")]
    [InlineData(TokenEntity.Scope, 42)]
    public void A_wrongly_typed_property_makes_the_entity_a_miss_instead_of_throwing(string property, object value)
    {
        var entity = TokenEntity.ToEntity(Key, new CachedToken("t", "Bearer", "a", Now, Now.AddHours(1), "v"), Seal("t"), Context)!;
        entity[TokenEntity.RejectedUntil] = Now.AddYears(5);
        entity[property] = value;

        var read = TokenEntity.FromEntity(entity);

        Assert.Contains(property, read.Problem, StringComparison.Ordinal);
        Assert.Null(read.Sealed);

        // Nothing of an unreadable entity is trusted, not even a hold: the next fetch replaces it.
        Assert.Null(read.RejectedUntil);
        Assert.Null(read.LeaseUntil);
    }
}
