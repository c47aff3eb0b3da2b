using System.Net;
using Microsoft.Extensions.Logging;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.IntegrationTests.Infrastructure.Graph;
using TokenBroker.Lifecycle;
using TokenBroker.Tests.Support;

namespace TokenBroker.IntegrationTests.Lifecycle;

/// <summary>
/// The lifecycle's Graph adapter against the development server's Graph-compatible endpoint, with the real Graph SDK,
/// signed in as the broker's identity: each operation, the owner rule, the propagation delay, and Graph out of reach.
/// </summary>
public sealed class AppRegistrationClientTests : IAsyncLifetime
{
    private readonly SensitiveValueSink _sink = new();
    private readonly ILoggerFactory _loggers;
    private EntraDirectory _directory = null!;
    private AppRegistrationClient _client = null!;

    public AppRegistrationClientTests() => _loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_sink));

    public async Task InitializeAsync()
    {
        _directory = await EntraDirectory.StartAsync();
        _client = Create(_directory.GraphBaseUrl);
    }

    public async Task DisposeAsync()
    {
        await _directory.DisposeAsync();
        _loggers.Dispose();
        _sink.Dispose();
    }

    [Fact]
    public async Task Reads_the_applications_secrets_and_certificates_by_app_id()
    {
        var application = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);

        Assert.Equal(EntraDirectory.ManagedApp, application.AppId);
        Assert.True(Guid.TryParse(application.ObjectId, out _));
        Assert.Single(application.Secrets);
        var key = Assert.Single(application.Keys);
        Assert.Equal(_directory.ManagedAppCertificate.Thumbprint, key.Thumbprint);
        Assert.Equal(new DateTimeOffset(_directory.ManagedAppCertificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), key.EndsOn?.ToUnixTimeSeconds());

        // The credential asked for Graph's application permissions, not a scope guessed from the loopback address.
        Assert.All(_directory.Credential.RequestedScopes, scope => Assert.Equal(EntraDirectory.GraphScope, scope));
    }

    [Fact]
    public async Task A_new_secret_is_refused_until_it_propagates_then_accepted_and_its_value_is_never_logged()
    {
        var application = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        var endsOn = _directory.Time.GetUtcNow().AddDays(180);

        var added = await _client.AddSecretAsync(application, "tokenbroker 2026-11-29", endsOn, CancellationToken.None);
        _sink.AddSensitive(added.Value);
        var refused = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added.Value);
        _directory.Time.Advance(_directory.PropagationDelay);
        var accepted = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, added.Value);
        var listed = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(endsOn.ToUnixTimeSeconds(), added.Credential.EndsOn?.ToUnixTimeSeconds());
        Assert.Contains(listed.Secrets, secret => secret.KeyId == added.Credential.KeyId && secret.DisplayName == "tokenbroker 2026-11-29");
        Assert.DoesNotContain(added.Value, added.ToString(), StringComparison.Ordinal);
        Assert.Contains(_sink.Emitted, line => line.Contains(added.Credential.KeyId.ToString(), StringComparison.Ordinal));
        foreach (var token in _directory.Credential.IssuedTokens)
        {
            _sink.AddSensitive(token);
        }

        _sink.AssertNoLeak();
    }

    [Fact]
    public async Task Removing_a_secret_stops_it_and_removing_it_again_reports_it_gone()
    {
        var application = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        var keyId = application.Secrets.Single().KeyId;

        var removed = await _client.RemoveSecretAsync(application, keyId, CancellationToken.None);
        var again = await _client.RemoveSecretAsync(application, keyId, CancellationToken.None);
        var refused = await _directory.RequestTokenAsync(EntraDirectory.ManagedApp, EntraDirectory.ManagedAppSecret);

        Assert.True(removed);
        Assert.False(again);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
    }

    [Fact]
    public async Task A_new_certificate_registered_with_a_proof_from_the_current_one_verifies_after_propagation_and_the_old_one_is_removed()
    {
        var application = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        var current = _directory.ManagedAppCertificate;
        var oldKeyId = application.Keys.Single().KeyId;
        using var next = TestCertificates.Create("rotating-app-v2");

        var key = await _client.AddKeyAsync(application, next, current, "tokenbroker v2", CancellationToken.None);
        var refused = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, next);
        _directory.Time.Advance(_directory.PropagationDelay);
        var accepted = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, next);
        var removed = await _client.RemoveKeyAsync(application, oldKeyId, next, CancellationToken.None);
        var again = await _client.RemoveKeyAsync(application, oldKeyId, next, CancellationToken.None);
        var retired = await _directory.RequestTokenWithAssertionAsync(EntraDirectory.ManagedApp, current);

        Assert.Equal(next.Thumbprint, key.Thumbprint);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), refused);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.True(removed);
        Assert.False(again);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), retired);
    }

    [Fact]
    public async Task A_proof_signed_by_a_certificate_the_application_does_not_hold_is_rejected()
    {
        var application = await _client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None);
        using var stranger = TestCertificates.Create("stranger");
        using var next = TestCertificates.Create("rotating-app-v2");

        var error = await Assert.ThrowsAsync<AppRegistrationException>(() => _client.AddKeyAsync(application, next, stranger, "v2", CancellationToken.None));

        Assert.Equal(AppRegistrationError.Rejected, error.Error);
        Assert.Equal(400, error.Status);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task An_application_the_broker_does_not_own_is_forbidden_and_gets_no_secret()
    {
        var error = await Assert.ThrowsAsync<AppRegistrationException>(() => _client.GetAsync(EntraDirectory.ForeignApp, CancellationToken.None));
        var foreign = new AppRegistration(EntraDirectory.ForeignApp, EntraDirectory.ForeignAppObjectId, [], []);
        var add = await Assert.ThrowsAsync<AppRegistrationException>(() => _client.AddSecretAsync(foreign, "x", _directory.Time.GetUtcNow().AddDays(1), CancellationToken.None));

        Assert.Equal(AppRegistrationError.Forbidden, error.Error);
        Assert.Equal(403, error.Status);
        Assert.Equal("Authorization_RequestDenied", error.GraphCode);
        Assert.Equal(AppRegistrationError.Forbidden, add.Error);
        Assert.Contains("foreign-app", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_application_is_not_found()
    {
        var error = await Assert.ThrowsAsync<AppRegistrationException>(() => _client.GetAsync("no-such-app", CancellationToken.None));

        Assert.Equal(AppRegistrationError.NotFound, error.Error);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("status_500")]
    [InlineData("truncated_body")]
    [InlineData("malformed_body")]
    public async Task Graph_out_of_reach_or_not_answering_as_Graph_is_a_transient_failure(string fault)
    {
        await using var graph = await FaultServer.StartAsync(https: false);
        await graph.SetFaultAsync(Fault.Matrix[fault]);
        var client = Create(new Uri(graph.Uri, "v1.0"));

        var error = await Assert.ThrowsAsync<AppRegistrationException>(() => client.GetAsync(EntraDirectory.ManagedApp, CancellationToken.None));

        Assert.Equal(AppRegistrationError.Unavailable, error.Error);
        Assert.True(error.IsTransient);
    }

    private AppRegistrationClient Create(Uri graphBaseUrl) => new(
        GraphClients.Create(_directory.Credential, new GraphOptions { BaseUrl = graphBaseUrl, Scope = EntraDirectory.GraphScope, Timeout = TimeSpan.FromSeconds(20) }),
        new GraphProof(_directory.Time),
        _loggers.CreateLogger<AppRegistrationClient>());
}
