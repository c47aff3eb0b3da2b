using TokenBroker.Caching;
using TokenBroker.Connections;

namespace TokenBroker.Tests.Caching;

public sealed class TokenCacheKeyTests
{
    private static readonly Uri Endpoint = new("https://login.example.test/tenant/oauth2/v2.0/token");

    private static TokenCacheKey Key(
        string name = "payments",
        Uri? endpoint = null,
        string clientId = "client",
        ClientAuthMethod method = ClientAuthMethod.ClientSecretBasic,
        string scopes = "a b") =>
        TokenCacheKey.Create(name, endpoint ?? Endpoint, clientId, method, ScopeSet.Parse(scopes));

    [Fact]
    public void Equivalent_scope_strings_share_one_key() =>
        Assert.Equal(Key(scopes: "a b"), Key(scopes: "b  a a"));

    [Fact]
    public void Every_input_that_shapes_the_token_changes_the_fingerprint()
    {
        var baseline = Key().RowKey;
        Assert.NotEqual(baseline, Key(endpoint: new Uri("https://login.example.test/other-tenant/oauth2/v2.0/token")).RowKey);
        Assert.NotEqual(baseline, Key(clientId: "client2").RowKey);
        Assert.NotEqual(baseline, Key(method: ClientAuthMethod.ClientSecretPost).RowKey);
        Assert.NotEqual(baseline, Key(scopes: "a").RowKey);
        Assert.NotEqual(baseline, Key(scopes: "a b c").RowKey);
    }

    [Fact]
    public void Fields_cannot_run_into_each_other()
    {
        // "ab" + "c" and "a" + "bc" must not hash alike.
        Assert.NotEqual(Key(clientId: "ab", scopes: "c").RowKey, Key(clientId: "a", scopes: "bc").RowKey);
    }

    [Fact]
    public void Partition_is_the_lower_cased_connection_and_row_key_is_table_safe()
    {
        var key = Key(name: "Payments");
        Assert.Equal("payments", key.PartitionKey);
        Assert.Equal(32, key.RowKey.Length);
        Assert.DoesNotContain(key.RowKey, c => c is '/' or '\\' or '#' or '?' or '+' or '=');
        Assert.Equal($"payments/{key.RowKey}", key.Value);
    }

    [Fact]
    public void A_key_knows_its_partition_and_no_other()
    {
        var key = Key(name: "Payments");

        Assert.Equal(TokenCacheKey.PartitionOf("Payments"), key.PartitionKey);
        Assert.True(TokenCacheKey.IsInPartition(key.Value, "payments"));
        Assert.False(TokenCacheKey.IsInPartition(key.Value, "pay"));
        Assert.False(TokenCacheKey.IsInPartition(Key(name: "payments-eu").Value, "payments"));
        Assert.False(TokenCacheKey.IsInPartition("payments", "payments"));
    }
}
