using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TokenBroker.Functions.Http;

/// <summary>
/// Reads the optional body of a token request: nothing, or <c>{"scope": "a b"}</c>. Unknown members are refused rather than
/// ignored, because a caller who misspells <c>scope</c> would otherwise silently receive the default scopes.
/// </summary>
internal readonly record struct TokenRequestBody(string? Scope, ProblemResult? Problem)
{
    /// <summary>The largest body accepted, in bytes.</summary>
    public const int MaxBytes = 4 * 1024;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Reads and checks the body of <paramref name="request"/>.</summary>
    public static async ValueTask<TokenRequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is 0)
        {
            return default;
        }

        if (request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            return await ReadCoreAsync(request, buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel refuses a broken transfer (bad chunking, a body shorter than its Content-Length) while it is read:
            // the caller sent it, so it is the caller's error, never a 500.
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge()
                : Malformed("The request body could not be read.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<TokenRequestBody> ReadCoreAsync(HttpRequest request, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        int read;
        while (length <= MaxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > MaxBytes)
        {
            return TooLarge();
        }

        if (length == 0)
        {
            return default;
        }

        if (!IsJson(request.ContentType))
        {
            return Fail(415, ProblemCode.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json, for example {\"scope\": \"api.read\"}, or send no body.");
        }

        return Parse(buffer.AsSpan(0, length));
    }

    private static TokenRequestBody Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        string? scope = null;
        var sawScope = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Malformed("The body must be a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("scope"u8))
                {
                    return Malformed("The body may contain only the member \"scope\".");
                }

                if (sawScope)
                {
                    return Malformed("The member \"scope\" appears more than once.");
                }

                sawScope = true;
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        scope = reader.GetString();
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        return Malformed("\"scope\" must be a string of space-separated scopes.");
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Malformed("The body must be a single JSON object.");
            }
        }
        catch (JsonException)
        {
            return Malformed("The body is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // GetString on invalid UTF-8 or an unpaired surrogate escape.
            return Malformed("The body is not valid UTF-8 JSON.");
        }

        return new TokenRequestBody(scope, null);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var charset = media.Charset;
        if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
    }

    private static TokenRequestBody TooLarge() =>
        Fail(413, ProblemCode.BodyTooLarge, "Body too large", $"The body must not exceed {MaxBytes} bytes.");

    private static TokenRequestBody Malformed(string detail) =>
        Fail(400, ProblemCode.MalformedBody, "Malformed body", detail);

    private static TokenRequestBody Fail(int status, string code, string title, string detail) =>
        new(null, new ProblemResult(status, code, title, detail));
}
