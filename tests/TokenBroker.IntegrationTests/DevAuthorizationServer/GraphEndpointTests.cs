using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddKey;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Applications.Item.RemoveKey;
using Microsoft.Graph.Applications.Item.RemovePassword;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenBroker.DevAuthorizationServer;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.DevAuthorizationServer;

/// <summary>
/// The development server's Graph-compatible endpoint, driven by the real Microsoft Graph SDK: Graph's shapes, owners
/// only, a propagation delay before a new credential authenticates, proofs of possession for keys, and Entra's limits.
/// Facts from Graph's documentation are cited where a test relies on one.
/// </summary>
public sealed class GraphEndpointTests : IAsyncLifetime
{
    private EntraDirectory _directory = null!;
    private GraphServiceClient _graph = null!;

    public async Task InitializeAsync()
    {
        _directory = await EntraDirectory.StartAsync();
        _graph = _directory.CreateGraphClient();
    }

    public async Task DisposeAsync() => await _directory.DisposeAsync();

    [Fact]
    public async Task Get_by_app_id_lists_password_and_key_credentials_in_Graphs_shapes()
    {
        var certificate = _directory.ManagedAppCertificate;

        var selected = await GetAsync(EntraDirectory.ManagedApp);
        var unselected = await _graph.ApplicationsWithAppId(EntraDirectory.ManagedApp).GetAsync();

        Assert.True(Guid.TryParse(selected.Id, out _));
        Assert.Equal(EntraDirectory.ManagedApp, selected.AppId);
        var password = Assert.Single(selected.PasswordCredentials!);
        Assert.NotNull(password.KeyId);
        Assert.Equal(EntraDirectory.ManagedAppSecret[..3], password.Hint);
        Assert.Null(password.SecretText);
        var key = Assert.Single(selected.KeyCredentials!);
        Assert.Equal("AsymmetricX509Cert", key.Type);
        Assert.Equal("Verify", key.Usage);

        // keyCredential: customKeyIdentifier "defaults to the thumbprint of the certificate"; key is "returned only on
        // $select for a single object" (https://learn.microsoft.com/graph/api/resources/keycredential).
        Assert.Equal(certificate.GetCertHash(), key.CustomKeyIdentifier);
        Assert.Equal(certificate.RawData, key.Key);
        Assert.Equal(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), key.EndDateTime?.ToUnixTimeSeconds());
        Assert.Null(Assert.Single(unselected!.KeyCredentials!).Key);
        Assert.Equal(selected.Id, unselected.Id);
    }

    [Fact]
    public async Task A_secret_added_with_addPassword_is_refused_until_the_propagation_delay_passes_then_authenticates_basic_and_post()
    {
        var application = await GetAsync(EntraDirectory.ManagedApp);
        var endsOn = _directory.Time.GetUtcNow().AddDays(90);

        var added = await _graph.Applications[application.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody
        {
            PasswordCredential = new PasswordCredential { DisplayName = "rotation 2026-11", EndDateTime = endsOn },
        });
        var refused = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added!.SecretText!);
        _directory.Time.Advance(_directory.PropagationDelay - TimeSpan.FromSeconds(1));
        var stillRefused = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added.SecretText!, basic: true);
        _directory.Time.Advance(TimeSpan.FromSeconds(1));
        var post = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added.SecretText!);
        var basic = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added.SecretText!, basic: true);
        var old = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, EntraDirectory.ManagedAppSecret);
        var listed = (await GetAsync(EntraDirectory.ManagedApp)).PasswordCredentials!.Single(p => p.KeyId == added.KeyId);

        // addPassword: secretText holds "strong passwords … 16-64 characters in length"; hint "contains the first three
        // characters of the password" (https://learn.microsoft.com/graph/api/application-addpassword).
        Assert.InRange(added.SecretText!.Length, 16, 64);
        Assert.Equal(added.SecretText[..3], added.Hint);
        Assert.Equal("rotation 2026-11", added.DisplayName);
        Assert.Equal(endsOn.ToUnixTimeSeconds(), added.EndDateTime?.ToUnixTimeSeconds());
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), stillRefused);
        Assert.Equal(HttpStatusCode.OK, post.Status);
        Assert.Equal(HttpStatusCode.OK, basic.Status);
        Assert.Equal(HttpStatusCode.OK, old.Status);
        Assert.Null(listed.SecretText);
        Assert.Equal("rotation 2026-11", listed.DisplayName);
    }

    [Fact]
    public async Task AddPassword_without_dates_is_valid_from_now_for_two_years()
    {
        var application = await GetAsync(EntraDirectory.ManagedApp);
        var now = _directory.Time.GetUtcNow();

        var added = await _graph.Applications[application.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody { PasswordCredential = new PasswordCredential() });

        // addPassword: endDateTime "The default value is startDateTime + 2 years"; startDateTime "The default value is
        // now" (https://learn.microsoft.com/graph/api/application-addpassword).
        Assert.Equal(now.ToUnixTimeSeconds(), added!.StartDateTime?.ToUnixTimeSeconds());
        Assert.Equal(now.AddYears(2).ToUnixTimeSeconds(), added.EndDateTime?.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task RemovePassword_stops_the_secret_at_once_and_removing_it_again_is_a_404()
    {
        var application = await GetAsync(EntraDirectory.ManagedApp);
        var keyId = application.PasswordCredentials!.Single().KeyId;

        await _graph.Applications[application.Id].RemovePassword.PostAsync(new RemovePasswordPostRequestBody { KeyId = keyId });
        var refused = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, EntraDirectory.ManagedAppSecret);
        var again = await Assert.ThrowsAsync<ODataError>(() => _graph.Applications[application.Id].RemovePassword.PostAsync(new RemovePasswordPostRequestBody { KeyId = keyId }));

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
        Assert.Empty((await GetAsync(EntraDirectory.ManagedApp)).PasswordCredentials!);
        Assert.Equal(404, again.ResponseStatusCode);
    }

    [Fact]
    public async Task A_key_added_with_a_proof_from_the_current_certificate_verifies_assertions_after_the_delay_and_removeKey_retires_the_old_one()
    {
        var application = await GetAsync(EntraDirectory.ManagedApp);
        var current = _directory.ManagedAppCertificate;
        using var next = TestCertificates.Create("rotating-app-v2");
        var oldKeyId = application.KeyCredentials!.Single().KeyId!.Value;

        var added = await _graph.Applications[application.Id].AddKey.PostAsync(new AddKeyPostRequestBody
        {
            KeyCredential = new KeyCredential { Type = "AsymmetricX509Cert", Usage = "Verify", Key = next.Export(X509ContentType.Cert), DisplayName = "v2" },
            Proof = Proof(application.Id!, current),
        });
        var refused = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, next);
        _directory.Time.Advance(_directory.PropagationDelay);
        var accepted = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, next);

        // The new key proves possession now: an application rolls its own keys with addKey and removeKey.
        await _graph.Applications[application.Id].RemoveKey.PostAsync(new RemoveKeyPostRequestBody { KeyId = oldKeyId, Proof = Proof(application.Id!, next) });
        var retired = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, current);
        var remaining = (await GetAsync(EntraDirectory.ManagedApp)).KeyCredentials!;

        Assert.Equal(next.GetCertHash(), added!.CustomKeyIdentifier);
        Assert.Equal("v2", added.DisplayName);
        Assert.Equal(new DateTimeOffset(next.NotBefore.ToUniversalTime()).ToUnixTimeSeconds(), added.StartDateTime?.ToUnixTimeSeconds());
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), retired);
        Assert.Equal(added.KeyId, Assert.Single(remaining).KeyId);
    }

    [Theory]
    [InlineData("signed_by_a_stranger")]
    [InlineData("wrong_audience")]
    [InlineData("issuer_is_the_app_id")]
    [InlineData("longer_than_ten_minutes")]
    [InlineData("expired")]
    [InlineData("missing")]
    public async Task AddKey_refuses_a_proof_of_possession_Graph_would_refuse(string flaw)
    {
        // addKey: the proof "must be signed using the private key of one of the application's existing valid
        // certificates", aud "00000002-0000-0000-c000-000000000000", iss "the id of the application", exp "nbf + 10 mins"
        // (https://learn.microsoft.com/graph/api/application-addkey).
        var application = await GetAsync(EntraDirectory.ManagedApp);
        using var stranger = TestCertificates.Create("stranger");
        using var next = TestCertificates.Create("rotating-app-v2");
        var now = _directory.Time.GetUtcNow().UtcDateTime;
        var proof = flaw switch
        {
            "signed_by_a_stranger" => Proof(application.Id!, stranger),
            "wrong_audience" => Proof(application.Id!, _directory.ManagedAppCertificate, audience: "https://graph.microsoft.com"),
            "issuer_is_the_app_id" => Proof(application.AppId!, _directory.ManagedAppCertificate),
            "longer_than_ten_minutes" => Proof(application.Id!, _directory.ManagedAppCertificate, notBefore: now, expires: now.AddMinutes(11)),
            "expired" => Proof(application.Id!, _directory.ManagedAppCertificate, notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-20)),
            _ => null,
        };

        var error = await Assert.ThrowsAsync<ODataError>(() => _graph.Applications[application.Id].AddKey.PostAsync(new AddKeyPostRequestBody
        {
            KeyCredential = new KeyCredential { Type = "AsymmetricX509Cert", Usage = "Verify", Key = next.Export(X509ContentType.Cert) },
            Proof = proof,
        }));

        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("Request_BadRequest", error.Error?.Code);
        Assert.Single((await GetAsync(EntraDirectory.ManagedApp)).KeyCredentials!);
    }

    [Fact]
    public async Task AddKey_is_refused_when_the_application_has_no_valid_certificate_to_prove_possession_with()
    {
        // addKey: "Applications that don't have any existing valid certificates … won't be able to use this service
        // action" (https://learn.microsoft.com/graph/api/application-addkey).
        var application = await GetAsync(EntraDirectory.ManagedApp);
        _directory.Time.Advance(TimeSpan.FromDays(400));
        using var next = TestCertificates.Create("rotating-app-v2");

        var error = await Assert.ThrowsAsync<ODataError>(() => _graph.Applications[application.Id].AddKey.PostAsync(new AddKeyPostRequestBody
        {
            KeyCredential = new KeyCredential { Type = "AsymmetricX509Cert", Usage = "Verify", Key = next.Export(X509ContentType.Cert) },
            Proof = Proof(application.Id!, _directory.ManagedAppCertificate),
        }));

        Assert.Equal(400, error.ResponseStatusCode);
    }

    [Fact]
    public async Task A_caller_that_does_not_own_the_application_gets_403_in_Graphs_error_shape_and_changes_nothing()
    {
        var read = await Assert.ThrowsAsync<ODataError>(() => _graph.ApplicationsWithAppId(EntraDirectory.ForeignApp).GetAsync());
        var add = await Assert.ThrowsAsync<ODataError>(() => _graph.Applications[EntraDirectory.ForeignAppObjectId].AddPassword.PostAsync(new AddPasswordPostRequestBody { PasswordCredential = new PasswordCredential() }));
        var old = await _directory.RequestTokenAsync(EntraDirectory.ForeignApp, EntraDirectory.ForeignAppSecret);

        Assert.Equal(403, read.ResponseStatusCode);
        Assert.Equal("Authorization_RequestDenied", read.Error?.Code);
        Assert.False(string.IsNullOrEmpty(read.Error?.InnerError?.RequestId));
        Assert.Equal(403, add.ResponseStatusCode);
        Assert.Equal("Authorization_RequestDenied", add.Error?.Code);
        Assert.Equal(HttpStatusCode.OK, old.Status);
    }

    [Fact]
    public async Task A_request_without_a_token_for_Graph_is_401_and_an_unknown_application_is_404()
    {
        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri($"{_directory.GraphBaseUrl}/applications(appId='{EntraDirectory.ManagedApp}')"));
        using var json = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync());
        var unknown = await Assert.ThrowsAsync<ODataError>(() => _graph.ApplicationsWithAppId("no-such-app").GetAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("InvalidAuthenticationToken", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(404, unknown.ResponseStatusCode);
        Assert.Equal("Request_ResourceNotFound", unknown.Error?.Code);
    }

    [Fact]
    public async Task The_credential_cap_refuses_addPassword_and_addKey_beyond_it()
    {
        await using var capped = await EntraDirectory.StartAsync(maxCredentials: 3);
        var graph = capped.CreateGraphClient();
        var application = await graph.ApplicationsWithAppId(EntraDirectory.ManagedApp).GetAsync();
        using var next = TestCertificates.Create("rotating-app-v2");

        await graph.Applications[application!.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody { PasswordCredential = new PasswordCredential() });
        var password = await Assert.ThrowsAsync<ODataError>(() => graph.Applications[application.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody { PasswordCredential = new PasswordCredential() }));
        var key = await Assert.ThrowsAsync<ODataError>(() => graph.Applications[application.Id].AddKey.PostAsync(new AddKeyPostRequestBody
        {
            KeyCredential = new KeyCredential { Type = "AsymmetricX509Cert", Usage = "Verify", Key = next.Export(X509ContentType.Cert) },
            Proof = Proof(application.Id!, capped.ManagedAppCertificate),
        }));

        Assert.Equal(400, password.ResponseStatusCode);
        Assert.Equal(400, key.ResponseStatusCode);
    }

    [Fact]
    public void The_default_cap_is_Entras_limit_on_the_entries_of_an_application_manifest()
    {
        // "Within the complete application manifest for any application, the total number of entries in all the
        // collections combined has been capped at 1200" (https://learn.microsoft.com/entra/identity-platform/reference-app-manifest#manifest-limits).
        Assert.Equal(1200, new DevAuthorizationServerOptions().MaxCredentialsPerApplication);
    }

    private async Task<Application> GetAsync(string appId) =>
        (await _graph.ApplicationsWithAppId(appId).GetAsync(request => request.QueryParameters.Select = ["id", "appId", "passwordCredentials", "keyCredentials"]))!;

    private string Proof(string issuer, X509Certificate2 certificate, string audience = "00000002-0000-0000-c000-000000000000", DateTime? notBefore = null, DateTime? expires = null)
    {
        var now = _directory.Time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Audience = audience,
            Issuer = issuer,
            NotBefore = notBefore ?? now,
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new X509SigningCredentials(certificate),
        });
    }
}
