namespace TokenBroker.IntegrationTests;

/// <summary>
/// A connection whose name App Service cannot spell in a setting name ("payments-eu") deploys under a setting-safe key
/// with its name in <c>__Name</c>, exactly as infra/modules/function-app.bicep writes it; the broker serves it under
/// its name.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class ConnectionNameTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task A_hyphenated_connection_configured_through_app_settings_serves_a_token_under_its_name()
    {
        // App settings reach the worker as environment variables; a prefix unique to this test keeps them away from the
        // other brokers of the run, and the real environment-variable provider turns "__" into sections.
        var prefix = $"TBTEST{Guid.NewGuid():N}_";
        var appSettings = new Dictionary<string, string>
        {
            ["TokenBroker__Connections__payments_eu__Name"] = "payments-eu",
            ["TokenBroker__Connections__payments_eu__TokenEndpoint"] = fixture.Authorization.TokenEndpoint.AbsoluteUri,
            ["TokenBroker__Connections__payments_eu__ClientId"] = AuthorizationServer.ClientId,
            ["TokenBroker__Connections__payments_eu__SecretName"] = "demo-secret",
            ["TokenBroker__Connections__payments_eu__Scopes"] = "api.read",
            ["TokenBroker__Connections__payments_eu__AuthMethod"] = "client_secret_basic",
        };
        Assert.All(appSettings.Keys, name => Assert.Matches("^[A-Za-z0-9._]+$", name));

        foreach (var (name, value) in appSettings)
        {
            Environment.SetEnvironmentVariable(prefix + name, value);
        }

        try
        {
            var settings = fixture.BrokerSettings();
            foreach (var (key, value) in new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build().AsEnumerable())
            {
                settings[key] = value;
            }

            await using var broker = await fixture.StartBrokerAsync(settings);

            var served = await broker.RequestTokenAsync("payments-eu");
            var byKey = await broker.RequestTokenAsync("payments_eu");

            Assert.Equal(200, served.Status);
            Assert.False(string.IsNullOrEmpty(served.AccessToken));
            Assert.Equal(404, byKey.Status);
            Assert.Equal("connection_not_found", byKey.Code);
        }
        finally
        {
            foreach (var name in appSettings.Keys)
            {
                Environment.SetEnvironmentVariable(prefix + name, null);
            }
        }
    }
}
