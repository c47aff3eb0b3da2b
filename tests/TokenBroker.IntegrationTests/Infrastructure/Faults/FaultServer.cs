using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TokenBroker.IntegrationTests.Infrastructure.Faults;

/// <summary>
/// A real Kestrel listener on a loopback port that answers with <c>handler</c>, or with the <see cref="Fault"/> switched
/// on at run time: the port closed, a request never answered, a slow answer, an error status with <c>Retry-After</c>,
/// a cut or malformed body, an untrusted TLS certificate. Real clients (the Azure SDK, <see cref="HttpClient"/>) meet
/// each one exactly as they would on a network, so a test sees what the client really throws.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly RequestDelegate _handler;
    private readonly LoopbackCertificate? _certificate;
    private readonly Lazy<LoopbackCertificate> _untrusted = new(() => LoopbackCertificate.Create("TokenBroker untrusted"));
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private CancellationTokenSource _release = new();
    private Fault? _fault;
    private int _requests;
    private int _port;

    private FaultServer(RequestDelegate handler, LoopbackCertificate? certificate)
    {
        _handler = handler;
        _certificate = certificate;
    }

    /// <summary>The base address: <c>https://127.0.0.1:port/</c>, or <c>http://</c> without TLS.</summary>
    public Uri Uri => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{_port}/");

    public int Port => _port;

    /// <summary>The certificate the server presents when no TLS fault is on; null without TLS.</summary>
    public LoopbackCertificate? Certificate => _certificate;

    public Fault? Fault => Volatile.Read(ref _fault);

    /// <summary>Requests that reached the server (faulted or not), counted before the fault is applied.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a server; with <paramref name="https"/>, on a certificate of its own made for this run.</summary>
    public static async Task<FaultServer> StartAsync(RequestDelegate handler, bool https = true)
    {
        var server = new FaultServer(handler, https ? LoopbackCertificate.Create() : null);
        await server.ListenAsync();
        return server;
    }

    /// <summary>A server with no normal answer: every request not faulted gets 200 with an empty JSON object.</summary>
    public static Task<FaultServer> StartAsync(bool https = false) =>
        StartAsync(static context => context.Response.WriteAsJsonAsync(new { }), https);

    /// <summary>
    /// Switches the fault on (or off with null) for every request from now on. Requests left hanging by
    /// <see cref="FaultKind.NeverAnswers"/> are cut. <see cref="FaultKind.Refused"/> closes the port; clearing it
    /// opens the same port again.
    /// </summary>
    public async Task SetFaultAsync(Fault? fault)
    {
        await _gate.WaitAsync();
        try
        {
            Volatile.Write(ref _fault, fault);
            var release = Interlocked.Exchange(ref _release, new CancellationTokenSource());
            await release.CancelAsync();
            release.Dispose();
            if (fault?.Kind == FaultKind.Refused)
            {
                await CloseAsync();
            }
            else if (_app is null)
            {
                await ListenAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _release.CancelAsync();
        await CloseAsync();
        _release.Dispose();
        _certificate?.Dispose();
        if (_untrusted.IsValueCreated)
        {
            _untrusted.Value.Dispose();
        }

        _gate.Dispose();
    }

    private async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, _port, listen =>
            {
                if (_certificate is not null)
                {
                    listen.UseHttps(tls => tls.ServerCertificateSelector = (_, _) =>
                        Fault?.Kind == FaultKind.UntrustedCertificate ? _untrusted.Value.Certificate : _certificate.Certificate);
                }
            });
        });
        var app = builder.Build();
        app.Run(ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _port = new Uri(address).Port;
        _app = app;
    }

    private async Task CloseAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var fault = Fault;
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Volatile.Read(ref _release).Token);
        try
        {
            switch (fault?.Kind)
            {
                case null or FaultKind.Refused:
                    await _handler(context);
                    break;
                case FaultKind.NeverAnswers:
                    await Task.Delay(Timeout.Infinite, cut.Token);
                    break;
                case FaultKind.Slow:
                    await Task.Delay(fault.Delay, cut.Token);
                    await _handler(context);
                    break;
                case FaultKind.Status:
                    context.Response.StatusCode = fault.StatusCode;
                    if (fault.RetryAfter is not null)
                    {
                        context.Response.Headers.RetryAfter = fault.RetryAfter;
                    }

                    context.Response.ContentLength = 0;
                    break;
                case FaultKind.TruncatedBody:
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/json; charset=utf-8";
                    context.Response.ContentLength = 4096;
                    await context.Response.WriteAsync("{\"value\":\"", cut.Token);
                    await context.Response.Body.FlushAsync(cut.Token);
                    context.Abort();
                    break;
                case FaultKind.MalformedBody:
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/json; charset=utf-8";
                    await context.Response.WriteAsync("{\"value\": <html>this is not json", cut.Token);
                    break;
                case FaultKind.HtmlBody:
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "text/html; charset=utf-8";
                    await context.Response.WriteAsync("<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>", cut.Token);
                    break;
                case FaultKind.UntrustedCertificate:
                    // A connection made before the fault still has the trusted certificate: cut it, so the client
                    // reconnects and meets the untrusted one, as after a real certificate change.
                    context.Abort();
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }
}
