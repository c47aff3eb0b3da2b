using TokenBroker.Connections;
using TokenBroker.Credentials;

namespace TokenBroker.Tests.Credentials;

public sealed class ClientAuthMethodsTests
{
    [Fact]
    public void Every_method_is_registered_once_and_builds_a_credential_of_its_own_method()
    {
        var options = new ConnectionOptions { SecretName = "s", CertificateName = "c" };

        Assert.Equal(Enum.GetValues<ClientAuthMethod>().Order(), ClientAuthMethods.All.Select(m => m.Method).Order());
        Assert.Equal(ClientAuthMethods.All.Count, ClientAuthMethods.All.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ClientAuthMethods.All, m => Assert.Equal(m.Method, m.Create(options).Method));
    }

    [Fact]
    public void An_unset_method_is_client_secret_basic_and_an_unknown_one_is_not_found()
    {
        Assert.True(ClientAuthMethods.TryFind(null, out var unset));
        Assert.True(ClientAuthMethods.TryFind(" private_key_jwt ", out var spaced));
        Assert.False(ClientAuthMethods.TryFind("client_secret_jwt", out _));

        Assert.Equal(ClientAuthMethod.ClientSecretBasic, unset.Method);
        Assert.Equal(ClientAuthMethod.PrivateKeyJwt, spaced.Method);
    }

    [Fact]
    public void No_setting_belongs_to_two_methods()
    {
        var owned = ClientAuthMethods.All.SelectMany(m => m.OwnSettings.Select(s => s.Name)).ToList();

        Assert.Equal(owned.Count, owned.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
