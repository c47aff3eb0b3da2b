using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Http;
using TokenBroker.Connections;
using TokenBroker.IntegrationTests.Infrastructure.Faults;
using TokenBroker.Secrets;

namespace TokenBroker.IntegrationTests.Infrastructure.KeyVault;

/// <summary>
/// A Key Vault-compatible HTTPS endpoint on loopback, so the real <see cref="SecretClient"/> and
/// <see cref="CertificateClient"/> run through their real pipelines (challenge, retries, paging, deserialization) in
/// tests. It speaks the subset of the REST API the broker calls: get a secret (latest or a version), list secret
/// versions, get a certificate (latest) and list certificate versions, all with <c>nextLink</c> paging and
/// <c>api-version</c> required; and, for the credential lifecycle, set a secret (<c>PUT /secrets/{name}</c>: value,
/// content type, tags, enabled, nbf, exp) and update a version's properties (<c>PATCH /secrets/{name}/{version}</c>), as
/// <see cref="SecretClient.SetSecretAsync(KeyVaultSecret, CancellationToken)"/> and
/// <see cref="SecretClient.UpdateSecretPropertiesAsync"/> send them. Like Key Vault, it answers a request without a bearer token with 401 and the challenge
/// <c>WWW-Authenticate: Bearer authorization="…", resource="…"</c>.
/// <para>
/// Trust: the TLS certificate is made per run (<see cref="TlsCertificate"/>). In process, give a client
/// <see cref="Configure{T}"/> (a transport pinned to that certificate). A child process trusts it with
/// <c>SSL_CERT_FILE=&lt;TlsCertificate.PemPath&gt;</c> (see <see cref="ChildProcessEnvironment"/>).
/// Credential: in process, <see cref="Credential"/>; a child process uses the real <c>ManagedIdentityCredential</c>
/// against <see cref="IdentityEndpoint"/>, an App Service-style managed identity endpoint
/// (<c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c>).
/// </para>
/// </summary>
public sealed class KeyVaultEndpoint : IAsyncDisposable
{
    /// <summary>The tenant named in the challenge; any value works, Key Vault names the vault's tenant.</summary>
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private readonly KeyVaultStore _store = new();
    private readonly ConcurrentDictionary<string, byte> _issuedTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requestLog = new();
    private FaultServer _vault = null!;
    private FaultServer _identity = null!;

    private KeyVaultEndpoint(TimeProvider time)
    {
        Time = time;
        IdentityHeader = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        Credential = new KeyVaultTestCredential(this);
    }

    /// <summary>The vault URI to configure (<c>TokenBroker:KeyVaultUri</c>): <c>https://127.0.0.1:port/</c>.</summary>
    public Uri Uri => _vault.Uri;

    /// <summary>
    /// The resource the challenge names, Key Vault's own; clients ask their credential for <c>{Resource}/.default</c>.
    /// The SDK checks it against the vault's host unless the vault is on loopback (the broker's rule, in
    /// <c>KeyVaultClientSettings</c>), since no loopback host ends with <c>.vault.azure.net</c>.
    /// </summary>
    public static string Resource => "https://vault.azure.net";

    /// <summary>The vault's listener, to switch faults on and off.</summary>
    public FaultServer Vault => _vault;

    /// <summary>The managed identity endpoint's listener (plain HTTP on loopback, as App Service's is), to fault it too.</summary>
    public FaultServer Identity => _identity;

    /// <summary>The fault on the vault now; setting it is <see cref="SetFaultAsync"/>.</summary>
    public Fault? Fault => _vault.Fault;

    public LoopbackCertificate TlsCertificate => _vault.Certificate!;

    /// <summary>App Service-style managed identity endpoint: <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri IdentityEndpoint => new(_identity.Uri, "msi/token");

    /// <summary>The value <c>IDENTITY_HEADER</c> must carry (sent back as <c>X-IDENTITY-HEADER</c>).</summary>
    public string IdentityHeader { get; }

    /// <summary>A credential for in-process clients: it hands out a token this vault accepts.</summary>
    public TokenCredential Credential { get; }

    /// <summary>Page size of version listings; small values exercise <c>nextLink</c>.</summary>
    public int PageSize { get; set; } = 25;

    /// <summary>Every access token this endpoint issued: values that must never appear in a log.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _issuedTokens.Keys];

    /// <summary>Requests to the vault that were answered normally, as "METHOD path status", in order.</summary>
    public IReadOnlyList<string> RequestLog => [.. _requestLog];

    /// <summary>Requests that reached the vault's listener, faulted or not.</summary>
    public int Requests => _vault.Requests;

    private TimeProvider Time { get; }

    public static async Task<KeyVaultEndpoint> StartAsync(TimeProvider? time = null)
    {
        var endpoint = new KeyVaultEndpoint(time ?? TimeProvider.System);
        endpoint._vault = await FaultServer.StartAsync(endpoint.ServeVaultAsync, https: true);
        endpoint._identity = await FaultServer.StartAsync(endpoint.ServeIdentityAsync, https: false);
        return endpoint;
    }

    /// <summary>Switches a fault on the vault's listener (null clears it). See <see cref="FaultServer.SetFaultAsync"/>.</summary>
    public Task SetFaultAsync(Fault? fault) => _vault.SetFaultAsync(fault);

    /// <summary>Stores a new version of a secret (it becomes the latest) and returns its version id.</summary>
    public string SetSecret(string name, string value, KeyVaultAttributes? attributes = null, string? contentType = null) =>
        Add(name, value, contentType, attributes, cer: null, certificate: false, x5t: null);

    /// <summary>
    /// Stores a new version of a certificate with its private key: as in Key Vault, the certificate object holds the
    /// public part and the secret of the same name and version holds the PKCS#12.
    /// </summary>
    public string SetCertificate(string name, X509Certificate2 certificateWithKey, KeyVaultAttributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(certificateWithKey);
        var pfx = Convert.ToBase64String(certificateWithKey.Export(X509ContentType.Pfx));
        return Add(name, pfx, "application/x-pkcs12", attributes, certificateWithKey.RawData, certificate: true, Base64Url(certificateWithKey.GetCertHash()));
    }

    /// <summary>Replaces the attributes of a version (disable it, move its expiry …), as an operator would in the portal.</summary>
    public void SetAttributes(string name, string version, KeyVaultAttributes attributes) =>
        _store.Update(name, version, attributes, Time.GetUtcNow());

    /// <summary>Client options whose transport trusts this endpoint's certificate only, as production trusts a public CA.</summary>
    public T Configure<T>(T options)
        where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Transport = new HttpClientTransport(TlsCertificate.CreateHandler());
        return options;
    }

    /// <summary>A client set up as the broker sets its own up (<c>KeyVaultClientSettings</c>), trusting this endpoint.</summary>
    public SecretClient CreateSecretClient(SecretClientOptions? options = null) =>
        new(Uri, Credential, Configure(options ?? KeyVaultClientSettings.Apply(new SecretClientOptions(), Uri)));

    /// <summary>A client set up as the broker sets its own up (<c>KeyVaultClientSettings</c>), trusting this endpoint.</summary>
    public CertificateClient CreateCertificateClient(CertificateClientOptions? options = null) =>
        new(Uri, Credential, Configure(options ?? KeyVaultClientSettings.Apply(new CertificateClientOptions(), Uri)));

    /// <summary>
    /// Makes an in-process broker use this vault: its credential, and Key Vault clients with the broker's own settings
    /// whose transport trusts this endpoint's certificate. Registered last, so they win over the broker's defaults.
    /// </summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(Credential);
        services.AddSingleton(_ => CreateSecretClient(Quick(KeyVaultClientSettings.Apply(new SecretClientOptions(), Uri))));
        services.AddSingleton(_ => CreateCertificateClient(Quick(KeyVaultClientSettings.Apply(new CertificateClientOptions(), Uri))));
    }

    /// <summary>
    /// Settings that point a broker at this vault instead of secrets in configuration: <c>TokenBroker:KeyVaultUri</c>
    /// set, every <c>TokenBroker:Secrets:*</c> value moved into the vault as a secret of the same name.
    /// </summary>
    public Dictionary<string, string?> Adopt(Dictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("TokenBroker:Secrets:", StringComparison.Ordinal)).ToList())
        {
            if (value is not null)
            {
                SetSecret(key["TokenBroker:Secrets:".Length..], value);
            }

            settings.Remove(key);
        }

        settings["TokenBroker:KeyVaultUri"] = Uri.AbsoluteUri;
        return settings;
    }

    /// <summary>
    /// The environment a child process needs to reach this vault with default client options and the real
    /// <c>ManagedIdentityCredential</c>: OpenSSL trusts the run's certificate through <c>SSL_CERT_FILE</c>, and
    /// Azure.Identity finds the App Service managed identity endpoint through <c>IDENTITY_ENDPOINT</c> and
    /// <c>IDENTITY_HEADER</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ChildProcessEnvironment() => new Dictionary<string, string>
    {
        ["SSL_CERT_FILE"] = TlsCertificate.PemPath,
        ["IDENTITY_ENDPOINT"] = IdentityEndpoint.AbsoluteUri,
        ["IDENTITY_HEADER"] = IdentityHeader,
    };

    public async ValueTask DisposeAsync()
    {
        await _vault.DisposeAsync();
        await _identity.DisposeAsync();
    }

    // Shorter pauses between attempts keep the suite fast; the attempts, the timeouts and so what the client throws
    // stay the broker's own.
    private static T Quick<T>(T options)
        where T : ClientOptions
    {
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        return options;
    }

    internal string IssueToken()
    {
        var token = "kv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        _issuedTokens.TryAdd(token, 0);
        return token;
    }

    private string Add(string name, string value, string? contentType, KeyVaultAttributes? attributes, byte[]? cer, bool certificate, string? x5t)
    {
        var now = Time.GetUtcNow();
        var version = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var created = attributes?.CreatedOn ?? now;
        _store.Add(new KeyVaultVersion(name, version, value, contentType, attributes ?? KeyVaultAttributes.Default, created, cer) { X5t = x5t }, certificate);
        return version;
    }

    private async Task ServeVaultAsync(HttpContext context)
    {
        var request = context.Request;
        var status = await AnswerVaultAsync(context);
        _requestLog.Enqueue($"{request.Method} {request.Path} {status}");
    }

    private async Task<int> AnswerVaultAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            // The challenge, as Key Vault sends it: the client learns the tenant and the resource from it.
            response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{Resource}\"";
            return await ErrorAsync(response, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
        }

        if (!_issuedTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{Resource}\", error=\"invalid_token\"";
            return await ErrorAsync(response, 401, "Unauthorized", "AKV10032: Invalid issuer.");
        }

        if (string.IsNullOrEmpty(request.Query["api-version"]))
        {
            return await ErrorAsync(response, 400, "BadParameter", "The 'api-version' query parameter is required.");
        }

        // secrets/{name}[/{version}] | secrets/{name}/versions | certificates/{name}[/{version}] | certificates/{name}/versions
        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (HttpMethods.IsPut(request.Method) && segments.Length == 2 && segments[0] == "secrets")
        {
            return await SetSecretAsync(context, Uri.UnescapeDataString(segments[1]));
        }

        if (HttpMethods.IsPatch(request.Method) && segments.Length is 2 or 3 && segments[0] == "secrets")
        {
            return await UpdateSecretAsync(context, Uri.UnescapeDataString(segments[1]), segments.Length == 3 ? segments[2] : null);
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            return await ErrorAsync(response, 405, "MethodNotAllowed", "This test vault reads secrets and certificates, and sets and updates secrets.");
        }
        if (segments.Length is < 2 or > 3 || segments[0] is not ("secrets" or "certificates"))
        {
            return await ErrorAsync(response, 404, "NotFound", "No such route.");
        }

        var certificate = segments[0] == "certificates";
        var name = Uri.UnescapeDataString(segments[1]);
        var kind = certificate ? "Certificate" : "Secret";
        if (segments.Length == 3 && segments[2] == "versions")
        {
            var versions = _store.List(certificate, name);
            if (versions is null)
            {
                return await ErrorAsync(response, 404, $"{kind}NotFound", $"A {kind.ToLowerInvariant()} with (name/id) {name} was not found in this key vault.");
            }

            var skip = int.TryParse(request.Query["$skiptoken"], out var s) ? s : 0;
            var pageSize = int.TryParse(request.Query["maxresults"], out var m) && m > 0 ? Math.Min(m, PageSize) : PageSize;
            await WriteJsonAsync(response, writer => WriteVersionList(writer, versions, certificate, skip, pageSize, request.Query["api-version"]!));
            return 200;
        }

        var found = _store.Find(certificate, name, segments.Length == 3 ? segments[2] : null);
        if (found is null)
        {
            return await ErrorAsync(response, 404, $"{kind}NotFound", $"A {kind.ToLowerInvariant()} with (name/id) {name} was not found in this key vault.");
        }

        if (!certificate && !found.Attributes.Enabled)
        {
            // Key Vault refuses to return the value of a disabled version.
            return await ErrorAsync(response, 403, "Forbidden", "Operation get is not allowed on a disabled secret.");
        }

        await WriteJsonAsync(response, writer => (certificate ? (Action<Utf8JsonWriter, KeyVaultVersion>)WriteCertificate : WriteSecret)(writer, found));
        return 200;
    }

    private async Task<int> SetSecretAsync(HttpContext context, string name)
    {
        var response = context.Response;
        if (!UriRules.IsVaultObjectName(name))
        {
            return await ErrorAsync(response, 400, "BadParameter", "The request URI contains an invalid name: " + name);
        }

        using var body = await ReadBodyAsync(context.Request);
        if (body?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
        {
            return await ErrorAsync(response, 400, "BadParameter", "Property 'value' is required and must be a string.");
        }

        var attributes = ReadAttributes(root, KeyVaultAttributes.Default);
        var contentType = root.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        var version = Add(name, value.GetString()!, contentType, attributes, cer: null, certificate: false, x5t: null);
        await WriteJsonAsync(response, writer => WriteSecret(writer, _store.Find(certificate: false, name, version)!));
        return 200;
    }

    private async Task<int> UpdateSecretAsync(HttpContext context, string name, string? version)
    {
        var response = context.Response;
        var found = _store.Find(certificate: false, name, version);
        if (found is null)
        {
            return await ErrorAsync(response, 404, "SecretNotFound", $"A secret with (name/id) {name}/{version} was not found in this key vault.");
        }

        using var body = await ReadBodyAsync(context.Request);
        if (body?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            return await ErrorAsync(response, 400, "BadParameter", "The request body must be a JSON object.");
        }

        // Like Key Vault: what the request names changes, the rest stays; tags, when sent, replace the tags.
        var attributes = ReadAttributes(root, found.Attributes);
        var contentType = root.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        _store.Update(name, found.Version, attributes, Time.GetUtcNow(), contentType);
        var updated = _store.Find(certificate: false, name, found.Version)!;

        // The update answers with the secret's properties, never its value.
        await WriteJsonAsync(response, writer => WriteSecret(writer, updated with { Value = null! }));
        return 200;
    }

    private static async Task<JsonDocument?> ReadBodyAsync(HttpRequest request)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static KeyVaultAttributes ReadAttributes(JsonElement root, KeyVaultAttributes current)
    {
        var result = current;
        if (root.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
        {
            if (attributes.TryGetProperty("enabled", out var enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                result = result with { Enabled = enabled.GetBoolean() };
            }

            if (attributes.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number)
            {
                result = result with { NotBefore = DateTimeOffset.FromUnixTimeSeconds(nbf.GetInt64()) };
            }

            if (attributes.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number)
            {
                result = result with { ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) };
            }
        }

        if (root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object)
        {
            result = result with
            {
                Tags = tags.EnumerateObject().Where(t => t.Value.ValueKind == JsonValueKind.String).ToDictionary(t => t.Name, t => t.Value.GetString()!, StringComparer.Ordinal),
            };
        }

        return result;
    }

    private Task ServeIdentityAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path != "/msi/token" || request.Headers["X-IDENTITY-HEADER"] != IdentityHeader || string.IsNullOrEmpty(request.Query["resource"]))
        {
            context.Response.StatusCode = 400;
            return context.Response.WriteAsJsonAsync(new { statusCode = 400, message = "Missing or wrong X-IDENTITY-HEADER or resource." });
        }

        var expiresOn = Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        return context.Response.WriteAsJsonAsync(new Dictionary<string, string>
        {
            ["access_token"] = IssueToken(),
            ["expires_on"] = expiresOn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = request.Query["resource"]!,
            ["token_type"] = "Bearer",
            ["client_id"] = "00000000-0000-0000-0000-000000000001",
        });
    }

    private void WriteSecret(Utf8JsonWriter writer, KeyVaultVersion version)
    {
        writer.WriteStartObject();
        if (version.Value is not null)
        {
            writer.WriteString("value", version.Value);
        }

        if (version.ContentType is not null)
        {
            writer.WriteString("contentType", version.ContentType);
        }

        writer.WriteString("id", Id("secrets", version));
        if (version.Cer is not null)
        {
            writer.WriteString("kid", Id("keys", version));
            writer.WriteBoolean("managed", true);
        }

        WriteAttributes(writer, version);
        writer.WriteEndObject();
    }

    private void WriteCertificate(Utf8JsonWriter writer, KeyVaultVersion version)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id("certificates", version));
        writer.WriteString("kid", Id("keys", version));
        writer.WriteString("sid", Id("secrets", version));
        writer.WriteString("x5t", version.X5t);
        writer.WriteString("cer", Convert.ToBase64String(version.Cer!));
        WriteAttributes(writer, version);
        writer.WriteEndObject();
    }

    private void WriteVersionList(Utf8JsonWriter writer, IReadOnlyList<KeyVaultVersion> versions, bool certificate, int skip, int pageSize, string apiVersion)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("value");
        foreach (var version in versions.Skip(skip).Take(pageSize))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Id(certificate ? "certificates" : "secrets", version));
            if (certificate)
            {
                writer.WriteString("x5t", version.X5t);
            }
            else if (version.ContentType is not null)
            {
                writer.WriteString("contentType", version.ContentType);
            }

            WriteAttributes(writer, version);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (skip + pageSize < versions.Count)
        {
            var name = Uri.EscapeDataString(versions[0].Name);
            writer.WriteString("nextLink", $"{Uri.AbsoluteUri}{(certificate ? "certificates" : "secrets")}/{name}/versions?api-version={Uri.EscapeDataString(apiVersion)}&$skiptoken={skip + pageSize}&maxresults={pageSize}");
        }
        else
        {
            writer.WriteNull("nextLink");
        }

        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, KeyVaultVersion version)
    {
        var attributes = version.Attributes;
        writer.WriteStartObject("attributes");
        writer.WriteBoolean("enabled", attributes.Enabled);
        if (attributes.NotBefore is { } nbf)
        {
            writer.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
        }

        if (attributes.ExpiresOn is { } exp)
        {
            writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
        }

        writer.WriteNumber("created", version.Created.ToUnixTimeSeconds());
        writer.WriteNumber("updated", version.Updated.ToUnixTimeSeconds());
        writer.WriteString("recoveryLevel", "Recoverable+Purgeable");
        writer.WriteEndObject();
        if (attributes.Tags is { Count: > 0 } tags)
        {
            writer.WriteStartObject("tags");
            foreach (var (key, value) in tags)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }
    }

    private string Id(string collection, KeyVaultVersion version) =>
        $"{Uri.AbsoluteUri}{collection}/{Uri.EscapeDataString(version.Name)}/{version.Version}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<int> ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        response.StatusCode = status;
        await WriteJsonAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        return status;
    }

    private static async Task WriteJsonAsync(HttpResponse response, Action<Utf8JsonWriter> write)
    {
        response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private sealed class KeyVaultTestCredential(KeyVaultEndpoint endpoint) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(endpoint.IssueToken(), endpoint.Time.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
