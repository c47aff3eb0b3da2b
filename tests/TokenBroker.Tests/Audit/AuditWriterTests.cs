using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Functions.Http;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Audit;

/// <summary>The trail through the broker core as the hosts compose it, on a fake clock; the writer is driven by hand.</summary>
public sealed class AuditWriterTests : IDisposable
{
    private static readonly Caller AppA = new(CallerMode.Jwt, "app-a", "oid-a", ImmutableArray<string>.Empty);
    private static readonly Caller AppB = new(CallerMode.Jwt, "app-b", "oid-b", ImmutableArray<string>.Empty);

    private readonly CoreHarness _harness = new(new Dictionary<string, string?>
    {
        ["TokenBroker:Access:Rules:0:AppId"] = "app-a",
        ["TokenBroker:Access:Rules:0:Connections:payments"] = "*",
        ["TokenBroker:Access:Rules:1:AppId"] = "app-b",
        ["TokenBroker:Access:Rules:1:Connections:payments"] = "api.read",
        ["TokenBroker:Audit:QueueCapacity"] = "100",
        ["TokenBroker:Audit:DenialsPerWindow"] = "1000",
    });

    private AuditWriter Writer => _harness.Services.GetRequiredService<AuditWriter>();

    [Fact]
    public async Task Each_caller_gets_one_issue_record_and_its_count_closes_when_the_token_is_replaced()
    {
        var first = await GetAsync(AppA);
        await GetAsync(AppA);
        await GetAsync(AppB);
        await GetAsync(AppA);
        await GetAsync(AppB);
        Writer.Drain();
        var issued = Records(AuditEventNames.TokenIssued);

        _harness.Time.Advance(TimeSpan.FromMinutes(56));
        var second = await GetAsync(AppA);
        Writer.Drain();
        Writer.Sweep(_harness.Time.GetUtcNow());
        Assert.Empty(Records(AuditEventNames.TokenReleased));
        Writer.Sweep(_harness.Time.GetUtcNow());
        var released = Records(AuditEventNames.TokenReleased);

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(["app-a", "app-b"], issued.Select(r => r["CallerAppId"]).Order());
        Assert.All(issued, r => Assert.Equal(TokenFingerprint.Of(first.AccessToken), r["TokenFingerprint"]));
        Assert.Equal("authorization_server", issued.Single(r => r["CallerAppId"] == "app-a")["CacheTier"]);
        Assert.Equal("memory", issued.Single(r => r["CallerAppId"] == "app-b")["CacheTier"]);
        Assert.Equal(["app-a:3", "app-b:2"], released.Select(r => $"{r["CallerAppId"]}:{r["Deliveries"]}").Order());
        Assert.All(released, r => Assert.Equal("replaced", r["Reason"]));
        Assert.Equal(3, Records(AuditEventNames.TokenIssued).Count);
    }

    [Fact]
    public async Task A_token_nobody_replaced_closes_as_expired_and_the_rest_close_at_shutdown()
    {
        await GetAsync(AppA);
        await GetAsync(AppA, "api.write");
        await _harness.Broker.GetTokenAsync("payments", "api.write", AppA, CancellationToken.None);

        _harness.Time.Advance(TimeSpan.FromMinutes(56));
        Writer.Sweep(_harness.Time.GetUtcNow());
        Writer.Sweep(_harness.Time.GetUtcNow());
        Writer.Flush();

        var released = Records(AuditEventNames.TokenReleased);
        Assert.Equal(["api.read:1:expired", "api.write:2:expired"], released.Select(r => $"{r["Scope"]}:{r["Deliveries"]}:{r["Reason"]}").Order());
    }

    [Fact]
    public async Task Open_counts_are_closed_at_shutdown()
    {
        await GetAsync(AppA);
        await GetAsync(AppA);

        Writer.Flush();

        var released = Assert.Single(Records(AuditEventNames.TokenReleased));
        Assert.Equal("2", released["Deliveries"]);
        Assert.Equal("shutdown", released["Reason"]);
    }

    [Fact]
    public async Task Denials_and_failures_are_recorded_without_a_fingerprint_and_with_the_callers_problem_code()
    {
        _harness.Endpoint.Respond = _ => Task.FromResult(StubTokenEndpoint.Json(System.Net.HttpStatusCode.BadRequest, """{"error":"invalid_client"}"""));

        await RefuseAsync(AppB, "payments", "api.write");
        await RefuseAsync(AppA, "payments", "api.delete");
        // A caller granted no such connection is refused it as for any connection it was not granted: existence stays hidden.
        await RefuseAsync(AppA, "nosuch", null);
        await RefuseAsync(AppA, "bad name!", null);
        await RefuseAsync(AppA, "payments", null);
        Writer.Flush();

        var refused = Records(AuditEventNames.TokenDenied).Concat(Records(AuditEventNames.TokenFailed)).ToList();
        string[] expected = ["app-a:caller_not_allowed:nosuch", "app-a:invalid_connection_name:", "app-a:scope_not_allowed:payments", "app-a:upstream_rejected:payments", "app-b:caller_not_allowed:payments"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), refused.Select(r => $"{r["CallerAppId"]}:{r["Code"]}:{r["Connection"]}").Order(StringComparer.Ordinal));
        Assert.All(refused, r => Assert.False(r.ContainsKey("TokenFingerprint")));
        Assert.Equal(AuditEventNames.TokenFailed, refused.Single(r => r["Code"] == "upstream_rejected")["AuditEvent"]);
    }

    [Fact]
    public void A_full_queue_drops_records_and_the_writer_reports_how_many()
    {
        var trail = _harness.Services.GetRequiredService<AuditTrail>();
        for (var i = 0; i < 150; i++)
        {
            trail.Unauthenticated("payments");
        }

        Writer.Flush();

        Assert.Equal(100, Records(AuditEventNames.TokenDenied).Count);
        Assert.Equal("50", Assert.Single(Records(AuditEventNames.RecordsDropped))["Dropped"]);
    }

    [Fact]
    public async Task A_repeat_delivery_from_memory_allocates_nothing()
    {
        // In-process code (no caller): a caller under the policy allocates in the policy's evaluation, which is not audited.
        await _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);
        await _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            var hit = _harness.Broker.GetTokenAsync("payments", null, CancellationToken.None);
            Assert.True(hit.IsCompletedSuccessfully);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Writer.Flush();
        Assert.Equal("1002", Assert.Single(Records(AuditEventNames.TokenReleased))["Deliveries"]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Audit_codes_are_the_codes_callers_see(TokenErrorKind kind) =>
        Assert.Equal(ProblemCode.For(kind).Code, AuditCodes.For(kind));

    public static TheoryData<TokenErrorKind> Kinds() => [.. Enum.GetValues<TokenErrorKind>()];

    public void Dispose() => _harness.Dispose();

    private async Task<TokenBroker.Caching.CachedToken> GetAsync(Caller caller, string? scope = null)
    {
        var result = await _harness.Broker.GetTokenAsync("payments", scope, caller, CancellationToken.None);
        Assert.True(result.Succeeded, result.Error?.Detail);
        return result.Token;
    }

    // As TokenFunction does once the broker answered.
    private async Task RefuseAsync(Caller caller, string connection, string? scope)
    {
        var result = await _harness.Broker.GetTokenAsync(connection, scope, caller, CancellationToken.None);
        Assert.False(result.Succeeded);
        _harness.Services.GetRequiredService<AuditTrail>().Refused(caller, connection, scope, result.Error);
    }

    private List<Dictionary<string, string?>> Records(string auditEvent) =>
        [.. _harness.Logs.Collector.GetSnapshot()
            .Where(r => r.Category == AuditEventNames.Category)
            .Select(r => r.StructuredState!.ToDictionary(p => p.Key, p => p.Value))
            .Where(state => state.GetValueOrDefault("AuditEvent") == auditEvent)];
}
