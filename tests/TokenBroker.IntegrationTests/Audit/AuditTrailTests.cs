using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TokenBroker.Audit;

namespace TokenBroker.IntegrationTests.Audit;

/// <summary>
/// Who got which token, end to end: callers with real tokens from the OpenIddict server, a broker host on Kestrel with
/// Azurite, and the audit records it writes, captured as structured values.
/// </summary>
[Collection(IntegrationGroup.Name)]
public sealed class AuditTrailTests(IntegrationFixture fixture)
{
    private const string AdminKey = "integration-audit-admin-key-7f3a9c2e41";

    [Fact]
    public async Task A_thousand_mixed_requests_leave_one_record_per_pair_and_per_refusal_with_counts_that_add_up()
    {
        fixture.Sink.AddSensitive(AdminKey);
        var capture = new AuditRecordCapture();
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:TokenCache:TableName"] = IntegrationFixture.NewTableName();
        settings["TokenBroker:Access:Rules:1:AppId"] = AuthorizationServer.SecondCallerClientId;
        settings["TokenBroker:Access:Rules:1:Connections:demo"] = "api.read";
        settings["TokenBroker:Access:Rules:1:Connections:other"] = "*";
        settings["TokenBroker:Access:Rules:2:AppId"] = AuthorizationServer.CallerClientId;
        settings["TokenBroker:Access:Rules:2:Connections:broken"] = "*";
        settings["TokenBroker:Connections:broken:TokenEndpoint"] = $"http://127.0.0.1:{FreePort.Next()}/connect/token";
        settings["TokenBroker:Connections:broken:ClientId"] = "broken-client";
        settings["TokenBroker:Connections:broken:SecretName"] = "demo-secret";
        settings["TokenBroker:Connections:broken:Scopes"] = "api.read";
        settings["TokenBroker:TokenEndpoint:MaxRetryAttempts"] = "0";
        settings["TokenBroker:Audit:DenialsPerWindow"] = "10000";
        settings["TokenBroker:Secrets:broker-admin-key"] = AdminKey;

        var callerA = await CallerTokenAsync(AuthorizationServer.CallerClientId, AuthorizationServer.CallerClientSecret);
        var callerB = await CallerTokenAsync(AuthorizationServer.SecondCallerClientId, AuthorizationServer.SecondCallerClientSecret);
        var callerC = await CallerTokenAsync(AuthorizationServer.ThirdCallerClientId, AuthorizationServer.ThirdCallerClientSecret);

        // Ten kinds of request, each a tenth of the thousand: three granted pairs, and every kind of refusal and failure.
        (string? Caller, string? Token, string Connection, string? Scope)[] kinds =
        [
            ("caller-app", callerA, "demo", null),
            ("caller-app", callerA, "demo", null),
            ("caller-b", callerB, "demo", null),
            ("caller-b", callerB, "other", null),
            ("caller-c", callerC, "demo", null),            // no rule: caller_not_allowed
            ("caller-app", callerA, "demo", "api.write"),   // a scope its rule does not grant: caller_not_allowed
            ("caller-app", callerA, "demo", "api.admin"),   // a scope the connection does not allow: scope_not_allowed
            ("caller-app", callerA, "nosuch", null),        // no such connection: caller_not_allowed, as for any not granted
            (null, null, "demo", null),                     // no credentials: 401
            ("caller-app", callerA, "broken", null),        // the authorization server refuses connections: 503
        ];
        var responses = new (string? Caller, TokenCall Call)[1_000];
        await using (var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<ILoggerProvider>(capture)))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, responses.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
            {
                var kind = kinds[i % kinds.Length];
                responses[i] = (kind.Caller, await CallAsync(broker, kind.Token, kind.Connection, kind.Scope, cancellationToken));
            });

            var listing = await ListAsync(broker);
            var demo = listing.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "demo");
            var holders = demo.GetProperty("holders").EnumerateArray().Select(h => h.GetProperty("caller_app_id").GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(["caller-app", "caller-b"], holders);
            Assert.Empty(listing.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "broken").GetProperty("holders").EnumerateArray());
        }

        var served = responses.Where(r => r.Call.Status == 200).ToList();
        var refused = responses.Where(r => r.Call.Status != 200).ToList();
        var issued = capture.Of(AuditEventNames.TokenIssued);
        var released = capture.Of(AuditEventNames.TokenReleased);
        var denials = capture.Of(AuditEventNames.TokenDenied).Concat(capture.Of(AuditEventNames.TokenFailed)).ToList();

        // One record per distinct (caller, token) pair, with the fingerprint of the token that caller received.
        var pairs = served.Select(r => (r.Caller, Fingerprint(r.Call.AccessToken!))).Distinct().Order().ToList();
        Assert.Equal(3, pairs.Count);
        Assert.Equal(pairs, issued.Select(r => ((string?)r["CallerAppId"], r["TokenFingerprint"]!)).Order());
        Assert.All(issued, r => Assert.Equal("jwt", r["CallerMode"]));

        // Every delivery counted once, in the closing record of its pair.
        Assert.Equal(pairs, released.Select(r => ((string?)r["CallerAppId"], r["TokenFingerprint"]!)).Order());
        Assert.Equal(served.Count, released.Sum(r => long.Parse(r["Deliveries"]!, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var pair in pairs)
        {
            var count = served.Count(r => (r.Caller, Fingerprint(r.Call.AccessToken!)) == pair);
            Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), released.Single(r => (r["CallerAppId"], r["TokenFingerprint"]) == pair)["Deliveries"]);
        }

        // One record per refusal or failure, with the caller and the code the caller was answered with.
        Assert.Equal(
            refused.Select(r => $"{r.Caller ?? string.Empty} {AuditCode(r.Call)}").Order(StringComparer.Ordinal),
            denials.Select(r => $"{r["CallerAppId"]} {r["Code"]}").Order(StringComparer.Ordinal));
        Assert.Equal(400, served.Count);
        Assert.Equal(["caller_not_allowed", "scope_not_allowed", "unauthenticated", "upstream_unavailable"], denials.Select(r => r["Code"]).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(denials, r => r.ContainsKey("TokenFingerprint"));

        // The leak scan saw every audit line and found no token, secret or key in any of them.
        Assert.Contains(fixture.Sink.Emitted, line => line.Contains(" TokenBroker.Audit Audit token_issued", StringComparison.Ordinal));
        Assert.Empty(fixture.Sink.Leaks());
    }

    [Fact]
    public async Task An_operators_refresh_is_recorded_with_the_operator_and_its_credential()
    {
        fixture.Sink.AddSensitive(AdminKey);
        var capture = new AuditRecordCapture();
        var settings = fixture.CallerIdentitySettings();
        settings["TokenBroker:TokenCache:TableName"] = IntegrationFixture.NewTableName();
        settings["TokenBroker:Secrets:broker-admin-key"] = AdminKey;
        await using (var broker = await fixture.StartBrokerAsync(settings, services => services.AddSingleton<ILoggerProvider>(capture)))
        {
            await CallAsync(broker, await CallerTokenAsync(AuthorizationServer.CallerClientId, AuthorizationServer.CallerClientSecret), "demo", null, CancellationToken.None);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ops/connections/demo/refresh");
            request.Headers.Add("x-tokenbroker-admin-key", AdminKey);
            using var response = await broker.Client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            using var refused = await broker.Client.PostAsync("/api/ops/connections/demo/evict", null);
            Assert.Equal(401, (int)refused.StatusCode);
        }

        var action = Assert.Single(capture.Of(AuditEventNames.OperatorAction));
        Assert.Equal("refresh", action["Action"]);
        Assert.Equal("demo", action["Connection"]);
        Assert.Equal("admin_key", action["Credential"]);
        Assert.Equal("succeeded", action["Outcome"]);
        Assert.Contains(capture.Of(AuditEventNames.TokenDenied), r => r["Code"] == "unauthenticated" && r["Scope"] == "operations");

        // The refresh replaced the token the caller held: its count was closed (at the latest when the host stopped).
        Assert.Equal("1", Assert.Single(capture.Of(AuditEventNames.TokenReleased))["Deliveries"]);
    }

    private static string AuditCode(TokenCall call) => call.Status == 401 ? "unauthenticated" : call.Code!;

    private static string Fingerprint(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    private async Task<string> CallerTokenAsync(string clientId, string secret)
    {
        var token = await fixture.Authorization.CallerTokenAsync(clientId, secret);
        fixture.Sink.AddSensitive(token);
        return token;
    }

    private async Task<TokenCall> CallAsync(BrokerInstance broker, string? callerToken, string connection, string? scope, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/token/{connection}");
        if (callerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callerToken);
        }

        if (scope is not null)
        {
            request.Content = new StringContent($$"""{"scope":"{{scope}}"}""", Encoding.UTF8, "application/json");
        }

        using var response = await broker.Client.SendAsync(request, cancellationToken);
        return await TokenCall.ReadAsync(response, fixture.Sink, cancellationToken);
    }

    private static async Task<JsonElement> ListAsync(BrokerInstance broker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ops/connections");
        request.Headers.Add("x-tokenbroker-admin-key", AdminKey);
        using var response = await broker.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
