using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenBroker.DevAuthorizationServer;
using TokenBroker.IntegrationTests.Infrastructure;

namespace TokenBroker.IntegrationTests.Lifecycle.Rotation;

/// <summary>
/// The rotation demo of <c>./scripts/run-local.sh --with-rotation</c>, run as the script runs it: the development
/// authorization server with <c>--vault</c> (its Key Vault over HTTPS and its managed identity endpoint), and the broker's
/// standalone host as a separate process whose real <c>DefaultAzureCredential</c> finds the identity through
/// <c>IDENTITY_ENDPOINT</c>/<c>IDENTITY_HEADER</c> and whose TLS trusts the vault through <c>SSL_CERT_FILE</c>. The
/// rotation settings are read from <c>scripts/rotation-demo.env</c>, the file the script reads.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class LocalRotationDemoTests(IntegrationFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task The_local_rotation_demo_rotates_the_demo_secret_to_done_and_serves_tokens_with_the_new_one()
    {
        var state = Directory.CreateTempSubdirectory("tokenbroker-rotation-demo-");
        try
        {
            var oldSecret = Hex(24);
            var adminKey = Hex(24);
            var identityHeader = Hex(16);
            fixture.Sink.AddSensitive(oldSecret);
            fixture.Sink.AddSensitive(adminKey);
            var seed = Path.Combine(state.FullName, "secrets.json");
            await File.WriteAllTextAsync(seed, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["demo-client-secret"] = oldSecret,
                ["token-cache-key"] = IntegrationFixture.CacheEncryptionKey,
                ["broker-admin-key"] = adminKey,
            }));
            var pem = Path.Combine(state.FullName, "vault-tls.pem");

            // As run-local.sh starts it, with the demo client of its appsettings.json (kept out of the test output).
            await using var server = DevAuthorizationServerApp.Build(
                [
                    "--urls", "http://127.0.0.1:0;https://127.0.0.1:0", "--vault",
                    $"--DevAuthorizationServer:Vault:CertificatePath={pem}",
                    $"--DevAuthorizationServer:Vault:IdentityHeader={identityHeader}",
                    $"--DevAuthorizationServer:Vault:SeedFile={seed}",
                ],
                options =>
                {
                    var demo = new DevClientRegistration { ClientId = "demo-client" };
                    demo.Secrets.Add(oldSecret);
                    demo.Scopes.Add("api.read");
                    demo.Scopes.Add("api.write");
                    options.Clients.Add(demo);
                });
            await server.StartAsync();
            var authUrl = server.Urls.Single(url => url.StartsWith("http://", StringComparison.Ordinal));
            var vaultUrl = server.Urls.Single(url => url.StartsWith("https://", StringComparison.Ordinal));

            var port = FreePort.Next();
            var environment = new Dictionary<string, string>
            {
                // The settings run-local.sh gives every broker, with the test's Azurite and a table of its own.
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["TokenBroker__Connections__demo__TokenEndpoint"] = $"{authUrl}/connect/token",
                ["TokenBroker__Connections__demo__ClientId"] = "demo-client",
                ["TokenBroker__Connections__demo__SecretName"] = "demo-client-secret",
                ["TokenBroker__Connections__demo__Scopes"] = "api.read",
                ["TokenBroker__Connections__demo__AllowedScopes"] = "api.read api.write",
                ["TokenBroker__TokenCache__ConnectionString"] = fixture.Storage.ConnectionString,
                ["TokenBroker__TokenCache__TableName"] = IntegrationFixture.NewTableName(),

                // The ones it adds with --with-rotation.
                ["SSL_CERT_FILE"] = pem,
                ["IDENTITY_ENDPOINT"] = $"{authUrl}/msi/token",
                ["IDENTITY_HEADER"] = identityHeader,
            };
            foreach (var (name, value) in ReadDemoSettings(authUrl, vaultUrl))
            {
                environment[name] = value;
            }

            var sensitive = new List<string> { oldSecret, adminKey, IntegrationFixture.CacheEncryptionKey };
            using var broker = StartBroker(port, environment, out var output);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                http.DefaultRequestHeaders.Add("x-tokenbroker-admin-key", adminKey);
                await WaitForAsync(async () => (await TryGetAsync(http, "/api/health")) == HttpStatusCode.OK, broker, output, "the broker to answer /api/health");

                using (var before = await http.PostAsync(new Uri("/api/token/demo", UriKind.Relative), null))
                {
                    Assert.Equal(HttpStatusCode.OK, before.StatusCode);
                }

                using (var rotate = await http.PostAsync(new Uri("/api/ops/connections/demo/rotate", UriKind.Relative), null))
                {
                    Assert.True(rotate.StatusCode == HttpStatusCode.Accepted, $"rotate answered {(int)rotate.StatusCode}: {await rotate.Content.ReadAsStringAsync()}");
                }

                string? rotationState = null;
                await WaitForAsync(
                    async () =>
                    {
                        var listing = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/ops/connections", UriKind.Relative)));
                        var demo = listing.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "demo");
                        rotationState = demo.TryGetProperty("rotation", out var rotation) ? rotation.GetProperty("state").GetString() : null;
                        return rotationState == "done";
                    },
                    broker,
                    output,
                    "the rotation to reach done");

                // The authorization server no longer accepts the old secret: the rotation replaced it there.
                using var authorization = new HttpClient();
                using var oldSecretRequest = await authorization.PostAsync(new Uri($"{authUrl}/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = "demo-client",
                    ["client_secret"] = oldSecret,
                    ["scope"] = "api.read",
                }));
                Assert.Equal(HttpStatusCode.Unauthorized, oldSecretRequest.StatusCode);

                // The vault's latest version is a new secret, which the token endpoint accepts.
                var newSecret = await ReadLatestSecretAsync(authUrl, vaultUrl, identityHeader, pem);
                fixture.Sink.AddSensitive(newSecret);
                sensitive.Add(newSecret);
                Assert.NotEqual(oldSecret, newSecret);
                using var newSecretRequest = await authorization.PostAsync(new Uri($"{authUrl}/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = "demo-client",
                    ["client_secret"] = newSecret,
                    ["scope"] = "api.read",
                }));
                Assert.Equal(HttpStatusCode.OK, newSecretRequest.StatusCode);

                // A scope the broker never cached, so this token is obtained now, with the new secret from the vault.
                var requests = server.Services.GetRequiredService<TokenRequestLog>();
                var succeededBefore = requests.SucceededCount;
                using var after = await http.PostAsync(
                    new Uri("/api/token/demo", UriKind.Relative),
                    new StringContent("""{"scope":"api.write"}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, after.StatusCode);
                var token = await after.Content.ReadFromJsonAsync<JsonElement>();
                Assert.False(string.IsNullOrEmpty(token.GetProperty("access_token").GetString()));
                Assert.True(requests.SucceededCount > succeededBefore);
            }
            finally
            {
                broker.Kill(entireProcessTree: true);
                await broker.WaitForExitAsync();
            }

            // The broker process's own log: the fixture's sink sees in-process brokers only.
            var log = output.ToString();
            Assert.All(sensitive, value => Assert.DoesNotContain(value, log, StringComparison.Ordinal));
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    // As the broker reads it: a vault token from the managed identity endpoint, then the secret over TLS trusting the
    // vault's PEM (and nothing else).
    private static async Task<string> ReadLatestSecretAsync(string authUrl, string vaultUrl, string identityHeader, string pem)
    {
        using var identity = new HttpClient();
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"{authUrl}/msi/token?resource=https://vault.azure.net&api-version=2019-08-01"));
        tokenRequest.Headers.Add("X-IDENTITY-HEADER", identityHeader);
        using var tokenResponse = await identity.SendAsync(tokenRequest);
        tokenResponse.EnsureSuccessStatusCode();
        var vaultToken = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();

        using var trusted = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pem));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.Thumbprint == trusted.Thumbprint,
        };
        using var vault = new HttpClient(handler);
        using var secretRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"{vaultUrl}/secrets/demo-client-secret?api-version=7.5"));
        secretRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", vaultToken);
        using var secretResponse = await vault.SendAsync(secretRequest);
        secretResponse.EnsureSuccessStatusCode();
        return (await secretResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
    }

    // scripts/rotation-demo.env: NAME=value lines, # comments, ${AUTH_URL} and ${VAULT_URL} replaced as the script does.
    private static IEnumerable<KeyValuePair<string, string>> ReadDemoSettings(string authUrl, string vaultUrl)
    {
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "scripts", "rotation-demo.env")))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var separator = line.IndexOf('=', StringComparison.Ordinal);
            yield return new(line[..separator], line[(separator + 1)..].Replace("${AUTH_URL}", authUrl, StringComparison.Ordinal).Replace("${VAULT_URL}", vaultUrl, StringComparison.Ordinal));
        }
    }

    private static Process StartBroker(int port, Dictionary<string, string> environment, out StringBuilder output)
    {
        var directory = Path.Combine(
            RepositoryRoot.Path, "src", "TokenBroker.Host", "bin",
            typeof(LocalRotationDemoTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
            "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "TokenBroker.Host.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        foreach (var name in new[] { "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "DOTNET_URLS", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_TOKEN_CREDENTIALS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var lines = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the broker.");
        process.OutputDataReceived += (_, e) => Append(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Append(lines, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = lines;
        return process;
    }

    private static void Append(StringBuilder lines, string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.AppendLine(line);
            }
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    // Polls a condition the broker reaches on its own schedule; the limit is generous for a busy machine, never a speed test.
    private static async Task WaitForAsync(Func<Task<bool>> condition, Process broker, StringBuilder output, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (broker.HasExited || deadline.Elapsed > Patience)
            {
                string log;
                lock (output)
                {
                    log = output.ToString();
                }

                Assert.Fail($"Gave up waiting for {what} (broker exited: {broker.HasExited}). Broker output:\n{log}");
            }

            await Task.Delay(250);
        }
    }

    private static string Hex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
