using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// The development Key Vault (secrets only, in memory) and the managed identity the broker reaches it and Graph with.
/// The vault speaks the part of the secrets REST API the Azure SDK's <c>SecretClient</c> uses for the broker: the
/// bearer challenge, get (latest or a version), list versions, set (PUT) and update properties (PATCH). The identity
/// endpoint speaks App Service's protocol (<c>IDENTITY_ENDPOINT</c>, <c>X-IDENTITY-HEADER</c>, <c>resource</c>): a vault
/// token is an opaque value this vault remembers; a Graph token is a real access token of this server for the identity's
/// client, which owns every configured client, so the Graph-compatible endpoint checks ownership as Entra ID does.
/// </summary>
internal sealed class DevVault(IOptions<DevAuthorizationServerOptions> options, TimeProvider time, ILogger<DevVault> logger) : IDisposable
{
    public const string Resource = "https://vault.azure.net";

    public const string IdentityPath = "/msi/token";

    private readonly ConcurrentDictionary<string, byte> _issuedTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<SecretVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private readonly HttpClient _http = new();

    private X509Certificate2? _certificate;

    private DevVaultOptions Settings => options.Value.Vault;

    /// <summary>The vault's TLS certificate; <see cref="Start"/> makes it.</summary>
    public X509Certificate2 Certificate => _certificate ?? throw new InvalidOperationException("The development vault has not started.");

    /// <summary>Makes the TLS certificate, writes its PEM for the broker to trust, and stores the seed secrets.</summary>
    public void Start()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=TokenBroker development vault", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        // Kestrel on Linux wants a certificate whose key it can use, which an exported and re-read PKCS#12 is.
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        var path = Path.GetFullPath(Settings.CertificatePath!);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, _certificate.ExportCertificatePem());

        if (Settings.SeedFile is { Length: > 0 } seed)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(seed));
            foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                Add(property.Name, property.Value.GetString()!, contentType: null, enabled: true, null, null, null);
            }
        }
    }

    public void Announce(string vaultUri)
    {
        int count;
        lock (_gate)
        {
            count = _secrets.Count;
        }

        var certificatePath = Path.GetFullPath(Settings.CertificatePath!);
        logger.VaultStarted(count, vaultUri, certificatePath);
    }

    /// <summary>The value of the latest version of a secret, for tests and the demo; null when there is none.</summary>
    public string? Latest(string name)
    {
        lock (_gate)
        {
            return _secrets.TryGetValue(name, out var versions) ? versions[^1].Value : null;
        }
    }

    public async Task HandleIdentityAsync(HttpContext context)
    {
        var request = context.Request;
        var resource = request.Query["resource"].ToString().TrimEnd('/');
        if (request.IsHttps || !string.Equals(request.Headers["X-IDENTITY-HEADER"], Settings.IdentityHeader, StringComparison.Ordinal) || resource.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { statusCode = 400, message = "Missing or wrong X-IDENTITY-HEADER or resource." });
            return;
        }

        string token;
        long expiresOn;
        if (string.Equals(resource, Resource, StringComparison.OrdinalIgnoreCase))
        {
            token = "devkv-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
            _issuedTokens.TryAdd(token, 0);
            expiresOn = time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        }
        else
        {
            // A real token of this server, so Graph's checks (issuer, audience, caller, ownership) stay the real ones.
            // Asked of this very listener: its issuer is the address the broker calls Graph at.
            using var response = await _http.PostAsync(
                new Uri($"http://{request.Host}{TokenEndpoint.Path}"),
                new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = Settings.IdentityClientId,
                    ["client_secret"] = IdentitySecret(),
                    ["scope"] = resource + "/.default",
                }),
                context.RequestAborted);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(context.RequestAborted));
            if (!response.IsSuccessStatusCode || !body.RootElement.TryGetProperty("access_token", out var accessToken))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { statusCode = 400, message = $"No token for the resource {resource}." });
                return;
            }

            token = accessToken.GetString()!;
            expiresOn = time.GetUtcNow().AddSeconds(body.RootElement.GetProperty("expires_in").GetInt64()).ToUnixTimeSeconds();
        }

        await context.Response.WriteAsJsonAsync(new Dictionary<string, string>
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToString(CultureInfo.InvariantCulture),
            ["resource"] = request.Query["resource"].ToString(),
            ["token_type"] = "Bearer",
            ["client_id"] = Settings.IdentityClientId,
        });
    }

    public async Task HandleVaultAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var authorization = request.Headers.Authorization.ToString();
        var vaultUri = $"https://{request.Host}/";
        if (!request.IsHttps)
        {
            // Key Vault is HTTPS only; the SDK never sends a token over plain HTTP.
            await ErrorAsync(response, 404, "NotFound", "The development vault answers on the HTTPS address only.");
            return;
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_issuedTokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            // Key Vault's challenge: the client learns the resource (and a tenant) from it, then asks its credential.
            response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/common\", resource=\"{Resource}\"";
            await ErrorAsync(response, 401, "Unauthorized", "AKV10000: Request is missing a valid Bearer token.");
            return;
        }

        if (string.IsNullOrEmpty(request.Query["api-version"]))
        {
            await ErrorAsync(response, 400, "BadParameter", "The 'api-version' query parameter is required.");
            return;
        }

        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is < 2 or > 3 || segments[0] != "secrets")
        {
            await ErrorAsync(response, 404, "NotFound", "This development vault serves secrets only.");
            return;
        }

        var name = Uri.UnescapeDataString(segments[1]);
        if (HttpMethods.IsPut(request.Method) && segments.Length == 2)
        {
            using var body = await ReadBodyAsync(request);
            if (body?.RootElement is not { ValueKind: JsonValueKind.Object } root
                || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            {
                await ErrorAsync(response, 400, "BadParameter", "Property 'value' is required and must be a string.");
                return;
            }

            var (enabled, nbf, exp) = ReadAttributes(root, (true, null, null));
            var version = Add(name, value.GetString()!, ContentType(root), enabled, nbf, exp, ReadTags(root));
            await WriteAsync(response, vaultUri, version, withValue: true);
            return;
        }

        if (HttpMethods.IsPatch(request.Method))
        {
            using var body = await ReadBodyAsync(request);
            if (body?.RootElement is not { ValueKind: JsonValueKind.Object } root)
            {
                await ErrorAsync(response, 400, "BadParameter", "The request body must be a JSON object.");
                return;
            }

            SecretVersion? updated;
            lock (_gate)
            {
                var found = Find(name, segments.Length == 3 ? segments[2] : null);
                if (found is not null)
                {
                    var (enabled, nbf, exp) = ReadAttributes(root, (found.Enabled, found.NotBefore, found.ExpiresOn));
                    updated = found with
                    {
                        Enabled = enabled,
                        NotBefore = nbf,
                        ExpiresOn = exp,
                        ContentType = ContentType(root) ?? found.ContentType,
                        Tags = ReadTags(root) ?? found.Tags,
                        Updated = time.GetUtcNow(),
                    };
                    var versions = _secrets[name];
                    versions[versions.IndexOf(found)] = updated;
                }
                else
                {
                    updated = null;
                }
            }

            if (updated is null)
            {
                await NotFoundAsync(response, name);
                return;
            }

            // Like Key Vault, an update answers with the properties, never the value.
            await WriteAsync(response, vaultUri, updated, withValue: false);
            return;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            await ErrorAsync(response, 405, "MethodNotAllowed", "This development vault gets, lists, sets and updates secrets.");
            return;
        }

        if (segments.Length == 3 && segments[2] == "versions")
        {
            List<SecretVersion>? all;
            lock (_gate)
            {
                all = _secrets.TryGetValue(name, out var versions) ? [.. versions] : null;
            }

            if (all is null)
            {
                await NotFoundAsync(response, name);
                return;
            }

            // One page: a demo vault holds a handful of versions, well under Key Vault's page size of 25.
            await JsonAsync(response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("value");
                foreach (var version in all)
                {
                    WriteSecret(writer, vaultUri, version, withValue: false);
                }

                writer.WriteEndArray();
                writer.WriteNull("nextLink");
                writer.WriteEndObject();
            });
            return;
        }

        SecretVersion? secret;
        lock (_gate)
        {
            secret = Find(name, segments.Length == 3 ? segments[2] : null);
        }

        if (secret is null)
        {
            await NotFoundAsync(response, name);
        }
        else if (!secret.Enabled)
        {
            await ErrorAsync(response, 403, "Forbidden", "Operation get is not allowed on a disabled secret.");
        }
        else
        {
            await WriteAsync(response, vaultUri, secret, withValue: true);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _certificate?.Dispose();
    }

    // The identity's client and its one secret are added to the options when the vault is enabled (see the services).
    private string IdentitySecret() =>
        options.Value.Clients.First(client => client.ClientId == Settings.IdentityClientId).Secrets[0];

    private SecretVersion Add(string name, string value, string? contentType, bool enabled, DateTimeOffset? nbf, DateTimeOffset? exp, IReadOnlyDictionary<string, string>? tags)
    {
        var now = time.GetUtcNow();
        var version = new SecretVersion(name, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), value, contentType, enabled, nbf, exp, tags, now, now);
        lock (_gate)
        {
            if (!_secrets.TryGetValue(name, out var versions))
            {
                _secrets[name] = versions = [];
            }

            versions.Add(version);
        }

        logger.VaultSecretSet(name, version.Version);
        return version;
    }

    // Under _gate. The latest version is the last one added, enabled or not, as in Key Vault.
    private SecretVersion? Find(string name, string? version) =>
        !_secrets.TryGetValue(name, out var versions) ? null
        : version is null ? versions[^1]
        : versions.Find(v => string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase));

    private static (bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? ExpiresOn) ReadAttributes(JsonElement root, (bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? ExpiresOn) current)
    {
        if (root.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
        {
            if (attributes.TryGetProperty("enabled", out var enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                current.Enabled = enabled.GetBoolean();
            }

            if (attributes.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number)
            {
                current.NotBefore = DateTimeOffset.FromUnixTimeSeconds(nbf.GetInt64());
            }

            if (attributes.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number)
            {
                current.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64());
            }
        }

        return current;
    }

    private static Dictionary<string, string>? ReadTags(JsonElement root) =>
        root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object
            ? tags.EnumerateObject().Where(t => t.Value.ValueKind == JsonValueKind.String).ToDictionary(t => t.Name, t => t.Value.GetString()!, StringComparer.Ordinal)
            : null;

    private static string? ContentType(JsonElement root) =>
        root.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

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

    private static Task WriteAsync(HttpResponse response, string vaultUri, SecretVersion version, bool withValue) =>
        JsonAsync(response, writer => WriteSecret(writer, vaultUri, version, withValue));

    private static void WriteSecret(Utf8JsonWriter writer, string vaultUri, SecretVersion version, bool withValue)
    {
        writer.WriteStartObject();
        if (withValue)
        {
            writer.WriteString("value", version.Value);
        }

        if (version.ContentType is not null)
        {
            writer.WriteString("contentType", version.ContentType);
        }

        writer.WriteString("id", $"{vaultUri}secrets/{Uri.EscapeDataString(version.Name)}/{version.Version}");
        writer.WriteStartObject("attributes");
        writer.WriteBoolean("enabled", version.Enabled);
        if (version.NotBefore is { } nbf)
        {
            writer.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
        }

        if (version.ExpiresOn is { } exp)
        {
            writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
        }

        writer.WriteNumber("created", version.Created.ToUnixTimeSeconds());
        writer.WriteNumber("updated", version.Updated.ToUnixTimeSeconds());
        writer.WriteString("recoveryLevel", "Recoverable+Purgeable");
        writer.WriteEndObject();
        if (version.Tags is { Count: > 0 } tags)
        {
            writer.WriteStartObject("tags");
            foreach (var (key, value) in tags)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static Task NotFoundAsync(HttpResponse response, string name) =>
        ErrorAsync(response, 404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");

    private static Task ErrorAsync(HttpResponse response, int status, string code, string message)
    {
        response.StatusCode = status;
        return JsonAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static async Task JsonAsync(HttpResponse response, Action<Utf8JsonWriter> write)
    {
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.Body);
        write(writer);
        await writer.FlushAsync();
    }

    private sealed record SecretVersion(
        string Name,
        string Version,
        string Value,
        string? ContentType,
        bool Enabled,
        DateTimeOffset? NotBefore,
        DateTimeOffset? ExpiresOn,
        IReadOnlyDictionary<string, string>? Tags,
        DateTimeOffset Created,
        DateTimeOffset Updated);
}
