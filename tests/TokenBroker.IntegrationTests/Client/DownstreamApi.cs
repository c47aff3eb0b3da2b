using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenBroker.IntegrationTests.Client;

/// <summary>
/// A protected API on loopback that accepts a bearer token only when the development authorization server signed it, as a
/// real resource server checks Entra ID's tokens against its published keys.
/// </summary>
internal sealed class DownstreamApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TokenValidationParameters _validation;
    private readonly SensitiveValueSink _sink;
    private readonly JsonWebTokenHandler _tokens = new();
    private readonly ConcurrentQueue<string> _accepted = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private int _requests;
    private int _refuseNext;

    private DownstreamApi(WebApplication app, TokenValidationParameters validation, SensitiveValueSink sink)
    {
        _app = app;
        _validation = validation;
        _sink = sink;
    }

    public Uri BaseAddress => new(_app.Urls.Single());

    /// <summary>Every request that arrived, with a valid token or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The tokens of the requests that were answered 200.</summary>
    public IReadOnlyList<string> AcceptedTokens => [.. _accepted];

    /// <summary>The bodies of every request, in order of arrival.</summary>
    public IReadOnlyList<string> Bodies => [.. _bodies];

    public static async Task<DownstreamApi> StartAsync(IntegrationFixture fixture)
    {
        var authority = fixture.Authorization.BaseUri;
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(new Uri(authority, ".well-known/jwks")));
        var validation = new TokenValidationParameters
        {
            ValidIssuer = authority.AbsoluteUri,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidateIssuerSigningKey = true,
            ValidateLifetime = true,

            // The development server's tokens name no resource; Entra ID's would, and a real API would check it.
            ValidateAudience = false,
        };

        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new DownstreamApi(app, validation, fixture.Sink);
        app.Run(api.HandleAsync);
        await app.StartAsync();
        return api;
    }

    /// <summary>Answers the next <paramref name="count"/> requests 401 even with a valid token, as for a token revoked early.</summary>
    public void RefuseNext(int count) => Volatile.Write(ref _refuseNext, count);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        using (var reader = new StreamReader(context.Request.Body))
        {
            _bodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await RefuseAsync(context, "Bearer");
            return;
        }

        var token = header["Bearer ".Length..];
        _sink.AddSensitive(token);
        var result = await _tokens.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || Interlocked.Decrement(ref _refuseNext) >= 0)
        {
            await RefuseAsync(context, "Bearer error=\"invalid_token\"");
            return;
        }

        _accepted.Enqueue(token);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"ok":true}""", context.RequestAborted);
    }

    private static Task RefuseAsync(HttpContext context, string challenge)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = challenge;
        return Task.CompletedTask;
    }
}
