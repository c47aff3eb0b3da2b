using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TokenBroker.Host;

namespace TokenBroker.IntegrationTests.Infrastructure;

/// <summary>One standalone broker host on Kestrel, on a free loopback port, configured like a user would configure it.</summary>
public sealed class BrokerInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrokerInstance(WebApplication app, SensitiveValueSink sink)
    {
        _app = app;
        Sink = sink;
        BaseAddress = new Uri(app.Urls.Single());
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Waits until the start-up warm-up of the token path has made its one table read (or given up), so a test that counts
    /// table reads counts only those its own requests caused.
    /// </summary>
    public Task WarmedUpAsync() =>
        Services.GetRequiredService<TokenBroker.Caching.TokenPathWarmup>().Completion.WaitAsync(TimeSpan.FromSeconds(30));

    private SensitiveValueSink Sink { get; }

    public static async Task<BrokerInstance> StartAsync(
        IntegrationFixture fixture,
        IDictionary<string, string?> settings,
        Action<IServiceCollection>? services = null,
        string environment = "Development")
    {
        var builder = BrokerHost.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", environment]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(fixture.Sink);
        services?.Invoke(builder.Services);
        var app = BrokerHost.Build(builder);
        await app.StartAsync();
        return new BrokerInstance(app, fixture.Sink);
    }

    /// <summary>POSTs to the token route and remembers any token that comes back as a value that must never be logged.</summary>
    public async Task<TokenCall> RequestTokenAsync(string connection, object? body = null, CancellationToken cancellationToken = default)
    {
        using var content = body is null ? null : JsonContent.Create(body);
        using var response = await Client.PostAsync($"/api/token/{connection}", content, cancellationToken);
        return await TokenCall.ReadAsync(response, Sink, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What a caller saw: the status, the headers that matter and the JSON body.</summary>
public sealed record TokenCall(int Status, string? ContentType, string? CacheControl, string? RetryAfter, JsonElement Body)
{
    public string? AccessToken => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("access_token", out var t) ? t.GetString() : null;

    public string? Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var c) ? c.GetString() : null;

    public static async Task<TokenCall> ReadAsync(HttpResponseMessage response, SensitiveValueSink sink, CancellationToken cancellationToken = default)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        var call = new TokenCall(
            (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.CacheControl?.ToString(),
            response.Headers.RetryAfter?.ToString(),
            json);
        sink.AddSensitive(call.AccessToken);
        sink.AssertNoLeak();
        return call;
    }
}
