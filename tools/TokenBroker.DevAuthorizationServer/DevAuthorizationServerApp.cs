using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using TokenBroker.DevAuthorizationServer.Internal;

namespace TokenBroker.DevAuthorizationServer;

/// <summary>
/// Builds a development-only OAuth 2.0 authorization server (OpenIddict) issuing client credentials
/// JWT access tokens at <c>POST /connect/token</c>, with discovery at
/// <c>/.well-known/openid-configuration</c> and keys at <c>/.well-known/jwks</c>, and the part of Microsoft Graph that
/// manages an application's credentials at <c>/v1.0/applications…</c> (see <see cref="DevClientRegistration.Owners"/>).
/// </summary>
public static class DevAuthorizationServerApp
{
    /// <summary>The address the server listens on when no <c>--urls</c> or <c>ASPNETCORE_URLS</c> is given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7080";

    /// <summary>
    /// Builds, but does not start, an independent server: its own in-memory store and its own keys.
    /// The address comes from <c>--urls</c> or <c>ASPNETCORE_URLS</c>; after <c>StartAsync</c>,
    /// <see cref="WebApplication.Urls"/> holds the bound address, port 0 included.
    /// </summary>
    /// <param name="args">Command-line arguments, such as <c>--urls http://127.0.0.1:0</c> or
    /// <c>--DevAuthorizationServer:Clients:0:ClientId=demo-client</c>.</param>
    /// <param name="configure">Changes applied after the <c>DevAuthorizationServer</c> section is bound,
    /// such as clients added by a test.</param>
    /// <param name="time">The clock that decides when credentials start, expire and finish propagating, and that stamps
    /// issued tokens; the system clock when null. Tests pass a fake one to step through a propagation delay.</param>
    /// <returns>The application, ready for <c>Run</c> or <c>StartAsync</c>.</returns>
    public static WebApplication Build(string[] args, Action<DevAuthorizationServerOptions>? configure = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(args);

        // The shorthand of run-local.sh --with-rotation.
        args = [.. args.Select(arg => arg == "--vault" ? $"--{DevAuthorizationServerOptions.SectionName}:Vault:Enabled=true" : arg)];
        var builder = WebApplication.CreateBuilder(args);

        // Lowest priority, so appsettings, environment or --Logging:LogLevel:OpenIddict=Debug still win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:OpenIddict"] = "Warning",

                // Its keys stay in memory (InMemoryXmlRepository), so the warning that they are
                // persisted unencrypted, logged once per server, does not apply.
                ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            },
        });

        if (!HasConfiguredAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddDevAuthorizationServer(configure);

        // Only the vault is served over HTTPS (the Key Vault client's challenge policy requires TLS); its certificate is
        // made at start, so no development certificate needs to be installed.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            https.ServerCertificateSelector = (_, _) => kestrel.ApplicationServices.GetRequiredService<DevVault>().Certificate));

        var app = builder.Build();
        var vault = app.Services.GetRequiredService<IOptions<DevAuthorizationServerOptions>>().Value.Vault.Enabled
            ? app.Services.GetRequiredService<DevVault>()
            : null;

        // First, so requests OpenIddict rejects in the authentication middleware are recorded too.
        app.UseWhen(
            context => context.Request.Path == TokenEndpoint.Path,
            branch => branch.UseMiddleware<TokenRequestLogMiddleware>());
        app.UseAuthentication();
        app.MapPost(TokenEndpoint.Path, TokenEndpoint.Exchange);
        app.MapMethods(GraphEndpoint.Pattern, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, GraphEndpoint graph) => graph.HandleAsync(context));
        if (vault is not null)
        {
            vault.Start();
            app.MapGet(DevVault.IdentityPath, vault.HandleIdentityAsync);
            app.MapMethods("/secrets/{**path}", [HttpMethods.Get, HttpMethods.Put, HttpMethods.Patch], vault.HandleVaultAsync);
        }

        app.Lifetime.ApplicationStarted.Register(() => AnnounceStart(app, vault));
        return app;
    }

    private static bool HasConfiguredAddress(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").Exists();

    private static void AnnounceStart(WebApplication app, DevVault? vault)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        // A fixed category rather than app.Logger's, which is named after the entry assembly (the test host in tests).
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DevAuthorizationServerApp));
        logger.ServerStarted(addresses is null ? "(unknown)" : string.Join(", ", addresses));
        vault?.Announce(addresses?.FirstOrDefault(address => address.StartsWith("https://", StringComparison.Ordinal)) ?? "(no https address in --urls)");
    }
}
