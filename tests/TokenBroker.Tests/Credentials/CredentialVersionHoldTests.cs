using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Certificates;
using TokenBroker.Credentials;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Credentials;

/// <summary>How <see cref="CredentialCache"/> follows a <see cref="ICredentialVersionHold"/> (an automatic certificate rotation's row).</summary>
public sealed class CredentialVersionHoldTests : IDisposable
{
    private static readonly VaultObject Certificate = VaultObject.Certificate("payments-cert");
    private readonly VersionedCertificates _source = new();
    private readonly Hold _hold = new();
    private readonly CoreHarness _harness;

    public CredentialVersionHoldTests()
    {
        _harness = new CoreHarness(
            new Dictionary<string, string?> { ["TokenBroker:SecretCacheDuration"] = "00:05:00" },
            configure: services =>
            {
                services.AddSingleton<ICredentialSource<ClientCertificate>>(_source);
                services.AddSingleton<ICredentialVersionHold>(_hold);
            });
        _source.Add("v1", "payments-v1");
        _source.Add("v2", "payments-v2");
    }

    private CredentialCache Cache => _harness.Services.GetRequiredService<CredentialCache>();

    public void Dispose()
    {
        _harness.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task A_held_version_is_used_instead_of_the_latest_until_the_hold_names_the_latest()
    {
        _hold.Version = "v1";
        var held = await Cache.GetAsync(Certificate, CancellationToken.None);
        var again = await Cache.GetAsync(Certificate, CancellationToken.None);

        // The promotion: the hold names the latest, and the generation stamp invalidates the cached certificate.
        _hold.Version = "v2";
        Cache.Invalidate(Certificate.Name);
        var promoted = await Cache.GetAsync(Certificate, CancellationToken.None);

        Assert.Equal("v1", held.Version);
        Assert.Same(held, again);
        Assert.Equal("v2", promoted.Version);
        Assert.Equal(["v1"], _source.VersionReads);
    }

    [Fact]
    public async Task The_hold_is_asked_again_each_time_the_certificate_is_read_from_the_source()
    {
        _hold.Version = "v1";
        Assert.Equal("v1", (await Cache.GetAsync(Certificate, CancellationToken.None)).Version);

        _hold.Version = "v2";
        _harness.Time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal("v2", (await Cache.GetAsync(Certificate, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Without_a_hold_the_latest_is_used_and_the_fallback_pin_works_as_before()
    {
        var latest = await Cache.GetAsync(Certificate, CancellationToken.None);
        var previous = (await Cache.GetPreviousVersionsAsync(Certificate, latest.Version, CancellationToken.None)).Single();
        Cache.Pin(Certificate, previous);
        _harness.Time.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal("v2", latest.Version);
        Assert.Same(previous, await Cache.GetAsync(Certificate, CancellationToken.None));
        Assert.Empty(_source.VersionReads);
    }

    [Fact]
    public async Task A_held_version_that_cannot_be_read_gives_way_to_the_latest()
    {
        _hold.Version = "v0";

        var used = await Cache.GetAsync(Certificate, CancellationToken.None);

        Assert.Equal("v2", used.Version);
        Assert.Contains(_harness.Logs.Collector.GetSnapshot(), e => e.Id.Id == 8661);
    }

    private sealed class Hold : ICredentialVersionHold
    {
        public string? Version { get; set; }

        public ValueTask<string?> GetHeldVersionAsync(VaultObject vaultObject, string latestVersion, CancellationToken cancellationToken) =>
            ValueTask.FromResult(vaultObject == Certificate ? Version : null);
    }

    // Key Vault's certificate versions in memory: the last added is the latest.
    private sealed class VersionedCertificates : ICredentialSource<ClientCertificate>, IDisposable
    {
        private readonly List<(string Version, X509Certificate2 Certificate)> _versions = [];

        public List<string> VersionReads { get; } = [];

        public string Kind => VaultObject.CertificateKind;

        public bool IsRemote => true;

        public void Add(string version, string subject) => _versions.Add((version, TestCertificates.Create(subject)));

        public ValueTask<ClientCredential> GetLatestAsync(string name, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ClientCredential>(new ClientCertificate(_versions[^1].Certificate, _versions[^1].Version));

        public ValueTask<IReadOnlyList<ClientCredential>> GetPreviousVersionsAsync(string name, string latestVersion, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ClientCredential>>([.. _versions.Where(v => v.Version != latestVersion).Reverse().Select(v => new ClientCertificate(v.Certificate, v.Version))]);

        public ValueTask<ClientCredential> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
        {
            VersionReads.Add(version);
            return _versions.FirstOrDefault(v => v.Version == version) is { Certificate: not null } found
                ? ValueTask.FromResult<ClientCredential>(new ClientCertificate(found.Certificate, version))
                : throw new ClientCredentialUnavailableException(Kind, name, $"version {version} does not exist");
        }

        public void Dispose()
        {
            foreach (var (_, certificate) in _versions)
            {
                certificate.Dispose();
            }
        }
    }
}
