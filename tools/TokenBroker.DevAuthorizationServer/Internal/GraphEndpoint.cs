using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>
/// The part of Microsoft Graph v1.0 that manages an application's credentials, over the registered clients:
/// <c>GET /v1.0/applications/{id}</c> and <c>GET /v1.0/applications(appId='{appId}')</c>, and on either address
/// <c>POST …/addPassword</c>, <c>…/removePassword</c>, <c>…/addKey</c> and <c>…/removeKey</c>, with Graph's JSON shapes
/// and error shape, so the real Graph SDK runs against it. Only owners of an application may use it (403 otherwise, as
/// for <c>Application.ReadWrite.OwnedBy</c>); a credential it adds authenticates at the token endpoint only after
/// <see cref="DevAuthorizationServerOptions.CredentialPropagationDelay"/>; an application holds at most
/// <see cref="DevAuthorizationServerOptions.MaxCredentialsPerApplication"/> credentials.
/// </summary>
internal sealed partial class GraphEndpoint(
    IOptions<DevAuthorizationServerOptions> options,
    DevClientSecrets secrets,
    DevClientCertificates certificates,
    GraphCallerAuthenticator authenticator,
    TimeProvider time,
    ILogger<GraphEndpoint> logger)
{
    /// <summary>The route this endpoint answers; everything under Graph's version segment.</summary>
    public const string Pattern = "/v1.0/{**path}";

    // Counting an application's credentials and adding one happen together, so concurrent adds cannot pass the cap.
    private readonly Lock _mutation = new();
    private readonly List<GraphApplication> _applications = [.. options.Value.Clients.Select(GraphApplication.From)];

    private DevAuthorizationServerOptions Options => options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        var now = time.GetUtcNow();
        var request = context.Request;
        var match = Route().Match(request.Path.Value ?? string.Empty);
        if (!match.Success)
        {
            await RefuseAsync(context, new GraphError(StatusCodes.Status400BadRequest, "BadRequest", $"Resource not found for the segment '{request.Path}'."), now);
            return;
        }

        var (caller, failure) = await authenticator.AuthenticateAsync(request);
        if (caller is null)
        {
            await RefuseAsync(context, GraphError.Unauthenticated(failure!), now);
            return;
        }

        var key = match.Groups["appId"].Success ? match.Groups["appId"].Value : match.Groups["id"].Value;
        var application = match.Groups["appId"].Success
            ? _applications.Find(a => a.AppId == key)
            : _applications.Find(a => string.Equals(a.ObjectId, key, StringComparison.OrdinalIgnoreCase));
        if (application is null)
        {
            await RefuseAsync(context, GraphError.NotFound($"Resource '{key}' does not exist or one of its queried reference-property objects are not present."), now);
            return;
        }

        if (!application.Owners.Contains(caller))
        {
            logger.GraphCallerNotOwner(caller, application.AppId);
            await RefuseAsync(context, GraphError.NotOwner, now);
            return;
        }

        var action = match.Groups["action"].Value;
        var error = (request.Method, action) switch
        {
            ("GET", "") => await GetAsync(context, application),
            ("POST", "addPassword") => await WithBodyAsync(context, body => AddPasswordAsync(context, application, body, now)),
            ("POST", "removePassword") => await WithBodyAsync(context, body => RemovePasswordAsync(context, application, body)),
            ("POST", "addKey") => await WithBodyAsync(context, body => AddKeyAsync(context, application, body, now)),
            ("POST", "removeKey") => await WithBodyAsync(context, body => RemoveKeyAsync(context, application, body, now)),
            _ => new GraphError(StatusCodes.Status405MethodNotAllowed, "Request_BadRequest", $"{request.Method} is not supported on '{request.Path}'."),
        };
        if (error is not null)
        {
            await RefuseAsync(context, error, now);
        }
    }

    [GeneratedRegex(@"^/v1\.0/applications(?:\(appId='(?<appId>[^']+)'\)|/(?<id>[^/()']+))(?:/(?<action>[A-Za-z]+))?/?$", RegexOptions.CultureInvariant)]
    private static partial Regex Route();

    private async Task<GraphError?> GetAsync(HttpContext context, GraphApplication application)
    {
        var select = context.Request.Query["$select"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Selected(string property) => select.Count == 0 || select.Contains(property);

        var passwords = secrets.List(application.AppId);
        var keys = certificates.List(application.AppId);
        await GraphJson.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", $"{BaseAddress(context)}v1.0/$metadata#applications/$entity");
            WriteIf(writer, Selected("id"), "id", application.ObjectId);
            WriteIf(writer, Selected("appId"), "appId", application.AppId);
            WriteIf(writer, Selected("displayName"), "displayName", application.AppId);
            if (Selected(GraphJson.PasswordCredentialsProperty))
            {
                writer.WriteStartArray(GraphJson.PasswordCredentialsProperty);
                foreach (var password in passwords)
                {
                    GraphJson.WritePassword(writer, password);
                }

                writer.WriteEndArray();
            }

            if (Selected(GraphJson.KeyCredentialsProperty))
            {
                // Graph returns each key's certificate only when keyCredentials is selected explicitly.
                var withKey = select.Contains(GraphJson.KeyCredentialsProperty);
                writer.WriteStartArray(GraphJson.KeyCredentialsProperty);
                foreach (var key in keys)
                {
                    GraphJson.WriteKey(writer, key, withKey);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        });
        return null;
    }

    private async Task<GraphError?> AddPasswordAsync(HttpContext context, GraphApplication application, JsonElement body, DateTimeOffset now)
    {
        var credential = body.TryGetProperty("passwordCredential", out var value) && value.ValueKind == JsonValueKind.Object ? value : default;
        if (!TryReadDate(credential, "startDateTime", out var start) || !TryReadDate(credential, "endDateTime", out var end))
        {
            return GraphError.BadRequest("startDateTime and endDateTime must be ISO 8601 dates.");
        }

        // Graph's defaults: valid from now, for two years.
        var startsOn = start ?? now;
        var endsOn = end ?? startsOn.AddYears(2);
        if (endsOn <= startsOn)
        {
            return GraphError.BadRequest("endDateTime must be later than startDateTime.");
        }

        var usableFrom = now + Options.CredentialPropagationDelay;
        PasswordEntry entry;
        string secretText;
        lock (_mutation)
        {
            if (LimitReached(application))
            {
                return TooManyCredentials();
            }

            (entry, secretText) = secrets.Generate(application.AppId, ReadString(credential, "displayName"), startsOn, endsOn, usableFrom);
        }

        logger.GraphCredentialAdded("password", entry.KeyId, application.AppId, usableFrom);
        await GraphJson.WriteAsync(context.Response, writer => GraphJson.WritePassword(writer, entry, secretText));
        return null;
    }

    private Task<GraphError?> RemovePasswordAsync(HttpContext context, GraphApplication application, JsonElement body)
    {
        if (!TryReadKeyId(body, out var keyId))
        {
            return Task.FromResult<GraphError?>(GraphError.BadRequest("keyId must be a GUID."));
        }

        if (!secrets.Remove(application.AppId, keyId))
        {
            return Task.FromResult<GraphError?>(GraphError.NotFound($"No password credential with keyId '{keyId}' exists on the application."));
        }

        logger.GraphCredentialRemoved("password", keyId, application.AppId);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.FromResult<GraphError?>(null);
    }

    private async Task<GraphError?> AddKeyAsync(HttpContext context, GraphApplication application, JsonElement body, DateTimeOffset now)
    {
        if (!body.TryGetProperty("keyCredential", out var credential) || credential.ValueKind != JsonValueKind.Object)
        {
            return GraphError.BadRequest("keyCredential is required.");
        }

        // Graph also takes X509CertAndPassword keys with usage Sign (for encryption); the broker never registers one.
        if (ReadString(credential, "type") != "AsymmetricX509Cert" || ReadString(credential, "usage") != "Verify")
        {
            return GraphError.BadRequest("This server accepts keyCredentials of type AsymmetricX509Cert with usage Verify only.");
        }

        using var certificate = LoadCertificate(ReadString(credential, "key"));
        if (certificate is null)
        {
            return GraphError.BadRequest("key must be a base64 DER certificate.");
        }

        if (!TryReadDate(credential, "startDateTime", out var start) || !TryReadDate(credential, "endDateTime", out var end))
        {
            return GraphError.BadRequest("startDateTime and endDateTime must be ISO 8601 dates.");
        }

        var proofFailure = await ProofOfPossession.ValidateAsync(ReadString(body, "proof"), application, certificates.List(application.AppId), now);
        if (proofFailure is not null)
        {
            logger.GraphProofRefused(application.AppId);
            return GraphError.BadRequest(proofFailure);
        }

        var usableFrom = now + Options.CredentialPropagationDelay;
        KeyEntry? entry;
        lock (_mutation)
        {
            if (LimitReached(application))
            {
                return TooManyCredentials();
            }

            entry = certificates.Add(application.AppId, certificate, ReadString(credential, "displayName"), start, end, usableFrom);
        }

        if (entry is null)
        {
            return GraphError.BadRequest("The key is already registered on the application.");
        }

        logger.GraphCredentialAdded("key", entry.KeyId, application.AppId, usableFrom);
        await GraphJson.WriteAsync(context.Response, writer => GraphJson.WriteKey(writer, entry, withKey: false));
        return null;
    }

    private async Task<GraphError?> RemoveKeyAsync(HttpContext context, GraphApplication application, JsonElement body, DateTimeOffset now)
    {
        if (!TryReadKeyId(body, out var keyId))
        {
            return GraphError.BadRequest("keyId must be a GUID.");
        }

        var proofFailure = await ProofOfPossession.ValidateAsync(ReadString(body, "proof"), application, certificates.List(application.AppId), now);
        if (proofFailure is not null)
        {
            logger.GraphProofRefused(application.AppId);
            return GraphError.BadRequest(proofFailure);
        }

        if (!certificates.Remove(application.AppId, keyId))
        {
            return GraphError.NotFound($"No key credential with keyId '{keyId}' exists on the application.");
        }

        logger.GraphCredentialRemoved("key", keyId, application.AppId);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return null;
    }

    private bool LimitReached(GraphApplication application) =>
        secrets.List(application.AppId).Count + certificates.List(application.AppId).Count >= Options.MaxCredentialsPerApplication;

    private GraphError TooManyCredentials() => GraphError.BadRequest(
        $"The size of the application has exceeded its limit: it may hold at most {Options.MaxCredentialsPerApplication} credentials. Remove one and retry.");

    private async Task RefuseAsync(HttpContext context, GraphError error, DateTimeOffset now)
    {
        logger.GraphRequestRefused(context.Request.Method, context.Request.Path, error.Status, error.Code);
        await error.WriteAsync(context, now);
    }

    private static async Task<GraphError?> WithBodyAsync(HttpContext context, Func<JsonElement, Task<GraphError?>> handle)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return GraphError.BadRequest("The request body is not valid JSON.");
        }

        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? await handle(document.RootElement)
                : GraphError.BadRequest("The request body must be a JSON object.");
        }
    }

    private static string BaseAddress(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/";

    private static void WriteIf(Utf8JsonWriter writer, bool selected, string name, string value)
    {
        if (selected)
        {
            writer.WriteString(name, value);
        }
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool TryReadDate(JsonElement element, string name, out DateTimeOffset? date)
    {
        date = null;
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            date = parsed;
            return true;
        }

        return false;
    }

    private static X509Certificate2? LoadCertificate(string? base64)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64 ?? string.Empty));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static bool TryReadKeyId(JsonElement body, out Guid keyId)
    {
        keyId = Guid.Empty;
        return ReadString(body, "keyId") is { } text && Guid.TryParse(text, out keyId);
    }
}
