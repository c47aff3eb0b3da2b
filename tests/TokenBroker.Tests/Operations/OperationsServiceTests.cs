using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenBroker.Access;
using TokenBroker.Caching;
using TokenBroker.Operations;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Operations;

/// <summary>
/// Who is admitted, and what a refresh or an eviction does on the instance that answers. The table is Moq over TableClient
/// (happy path, empty); the endpoints over HTTP on two hosts sharing Azurite are in the integration tests (OperationsTests).
/// </summary>
public sealed class OperationsServiceTests : IDisposable
{
    private const string AdminKey = "ops-admin-key-5d1e0c8b7a";

    private readonly CoreHarness _harness;

    public OperationsServiceTests()
    {
        _harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:Secrets:broker-admin-key"] = AdminKey,
            ["TokenBroker:Connections:audit:TokenEndpoint"] = "https://login.example.test/audit/token",
            ["TokenBroker:Connections:audit:ClientId"] = "audit-client",
            ["TokenBroker:Connections:audit:SecretName"] = "payments-secret",
            ["TokenBroker:Connections:audit:Scopes"] = "audit.read",
            ["TokenBroker:Connections:audit:AuthMethod"] = "client_secret_post",
        });
        _harness.Table.Setup(t => t.QueryAsync<TableEntity>(It.IsAny<string>(), It.IsAny<int?>(), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .Returns(() => AsyncPageable<TableEntity>.FromPages([]));
    }

    public void Dispose() => _harness.Dispose();

    private OperationsService Operations => _harness.Services.GetRequiredService<OperationsService>();

    private static Caller Jwt(params string[] roles) => new(CallerMode.Jwt, "ops-app", null, [.. roles]);

    private async Task<CachedToken> Get(string connection = "payments")
    {
        var result = await _harness.Broker.GetTokenAsync(connection, null, CancellationToken.None);
        return result.Token ?? throw new InvalidOperationException(result.Error!.Detail);
    }

    [Fact]
    public async Task Development_callers_and_holders_of_the_admin_role_are_admitted_without_a_key()
    {
        Assert.Equal(AdminCheck.Admitted, await Operations.CheckAdminAsync(Caller.Development, null, CancellationToken.None));
        Assert.Equal(AdminCheck.Admitted, await Operations.CheckAdminAsync(Jwt("TokenBroker.Admin"), null, CancellationToken.None));
        Assert.Equal(AdminCheck.Refused, await Operations.CheckAdminAsync(Jwt("tokenbroker.admin"), null, CancellationToken.None));
        Assert.Equal(AdminCheck.Refused, await Operations.CheckAdminAsync(Caller.FunctionKeyHolder, null, CancellationToken.None));
    }

    [Theory]
    [InlineData(AdminKey, true)]
    [InlineData("wrong-key", false)]
    [InlineData("", false)]
    [InlineData(AdminKey + " ", false)]
    public async Task Other_callers_are_admitted_only_with_the_admin_key(string presented, bool admitted)
    {
        Assert.Equal(admitted ? AdminCheck.Admitted : AdminCheck.Refused, await Operations.CheckAdminAsync(Jwt("Reader"), presented, CancellationToken.None));
    }

    [Fact]
    public async Task An_oversized_key_is_refused_before_it_is_compared()
    {
        Assert.Equal(AdminCheck.Refused, await Operations.CheckAdminAsync(Caller.FunctionKeyHolder, new string('k', 513), CancellationToken.None));
    }

    [Fact]
    public async Task Without_an_admin_key_in_the_vault_no_key_admits_anyone()
    {
        using var harness = new CoreHarness();
        var operations = harness.Services.GetRequiredService<OperationsService>();

        Assert.Equal(AdminCheck.Refused, await operations.CheckAdminAsync(Jwt(), AdminKey, CancellationToken.None));
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("not a name")]
    public async Task Refreshing_or_evicting_a_connection_that_does_not_exist_does_nothing(string connection)
    {
        Assert.Null(await Operations.RefreshAsync(connection, CancellationToken.None));
        Assert.False(await Operations.EvictAsync(connection, CancellationToken.None));
        Assert.Equal(0, _harness.Endpoint.Count);
        _harness.Table.Verify(t => t.AddEntityAsync(It.IsAny<TableEntity>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_refresh_replaces_a_fresh_token_at_once()
    {
        var before = await Get();

        var results = await Operations.RefreshAsync("PAYMENTS", CancellationToken.None);
        var after = await Get();

        var refreshed = Assert.Single(results!);
        Assert.True(refreshed.Succeeded);
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.Same(refreshed.Token, after);
        Assert.Equal(2, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task An_eviction_moves_the_generation_stamp_and_drops_this_instances_tokens_of_that_connection_only()
    {
        var payments = await Get();
        var audit = await Get("audit");

        Assert.True(await Operations.EvictAsync("payments", CancellationToken.None));

        _harness.Table.Verify(t => t.AddEntityAsync(
            It.Is<TableEntity>(e => e.PartitionKey == EvictionGenerations.Partition && e.RowKey == "payments"),
            It.IsAny<CancellationToken>()));
        Assert.NotEqual(payments.AccessToken, (await Get()).AccessToken);
        Assert.Same(audit, await Get("audit"));
        Assert.Equal(3, _harness.Endpoint.Count);
    }

    [Fact]
    public async Task An_eviction_lifts_this_instances_holds_on_the_connection()
    {
        _harness.Endpoint.Respond = _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(60));
            return Task.FromResult(response);
        };
        var throttled = await _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(HttpStatusCode.OK, """{"access_token":"after-eviction","token_type":"Bearer","expires_in":3600}"""));

        await Operations.EvictAsync("payments", CancellationToken.None);
        var after = await Get();

        Assert.False(throttled.Succeeded);
        Assert.Equal("after-eviction", after.AccessToken);
    }

    [Fact]
    public async Task The_status_lists_every_connection_by_name_with_its_settings_and_never_a_token()
    {
        var token = await Get();

        var statuses = await Operations.ListAsync(CancellationToken.None);

        Assert.Equal(["audit", "payments"], statuses.Select(s => s.Name));
        var payments = statuses[1];
        Assert.Equal("https://login.example.test/oauth2/token", payments.TokenEndpoint);
        Assert.Equal("payments-client", payments.ClientId);
        Assert.Equal("client_secret_basic", payments.AuthMethod);
        Assert.Equal("client_secret_post", statuses[0].AuthMethod);
        Assert.DoesNotContain(token.AccessToken, JsonSerializer.Serialize(statuses), StringComparison.Ordinal);
    }
}
