using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace TokenBroker.DevAuthorizationServer.Internal;

/// <summary>Graph's JSON shapes of <c>passwordCredential</c> and <c>keyCredential</c>, and its date format.</summary>
internal static class GraphJson
{
    public const string PasswordCredentialsProperty = "passwordCredentials";

    public const string KeyCredentialsProperty = "keyCredentials";

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static void WritePassword(Utf8JsonWriter writer, PasswordEntry entry, string? secretText = null)
    {
        writer.WriteStartObject();
        writer.WriteNull("customKeyIdentifier");
        WriteStringOrNull(writer, "displayName", entry.DisplayName);
        WriteDateOrNull(writer, "endDateTime", entry.EndsOn);
        writer.WriteString("hint", entry.Hint);
        writer.WriteString("keyId", entry.KeyId.ToString("D"));

        // Graph returns the secret once, in addPassword's answer, and never again.
        WriteStringOrNull(writer, "secretText", secretText);
        WriteDateOrNull(writer, "startDateTime", entry.StartsOn);
        writer.WriteEndObject();
    }

    public static void WriteKey(Utf8JsonWriter writer, KeyEntry entry, bool withKey)
    {
        writer.WriteStartObject();

        // Defaults to the certificate's SHA-1 thumbprint, as Graph documents for keyCredential.
        writer.WriteBase64String("customKeyIdentifier", entry.Certificate.GetCertHash());
        WriteStringOrNull(writer, "displayName", entry.DisplayName);
        writer.WriteString("endDateTime", Format(entry.EndsOn));

        // Graph returns the certificate only when keyCredentials is $select-ed on a single application.
        if (withKey)
        {
            writer.WriteBase64String("key", entry.Certificate.Export(X509ContentType.Cert));
        }
        else
        {
            writer.WriteNull("key");
        }

        writer.WriteString("keyId", entry.KeyId.ToString("D"));
        writer.WriteString("startDateTime", Format(entry.StartsOn));
        writer.WriteString("type", "AsymmetricX509Cert");
        writer.WriteString("usage", "Verify");
        writer.WriteEndObject();
    }

    public static async Task WriteAsync(HttpResponse response, Action<Utf8JsonWriter> write)
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

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteDateOrNull(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } date)
        {
            writer.WriteString(name, Format(date));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
