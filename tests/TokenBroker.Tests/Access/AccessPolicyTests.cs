using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Access;
using TokenBroker.Connections;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Access;

/// <summary>The access policy compiled from configuration as the hosts compose it: default deny, rules by app id, object id or role.</summary>
public sealed class AccessPolicyTests : IDisposable
{
    private readonly CoreHarness _harness = new(new Dictionary<string, string?>
    {
        ["TokenBroker:Connections:payments_eu:Name"] = "payments-eu",
        ["TokenBroker:Connections:payments_eu:TokenEndpoint"] = "https://login.example.test/oauth2/token",
        ["TokenBroker:Connections:payments_eu:ClientId"] = "payments-eu-client",
        ["TokenBroker:Connections:payments_eu:SecretName"] = "payments-secret",
        ["TokenBroker:Connections:payments_eu:Scopes"] = "eu.read",
        ["TokenBroker:Connections:payments_eu:AllowedScopes"] = "eu.read eu.write",
        ["TokenBroker:Access:Rules:0:AppId"] = "Reader-App",
        ["TokenBroker:Access:Rules:0:Connections:payments"] = "api.read",
        ["TokenBroker:Access:Rules:1:ObjectId"] = "0b6a5e4c-1111-4d7e-9a49-3f1c2d5e6f70",
        ["TokenBroker:Access:Rules:1:Connections:payments"] = "api.write",
        ["TokenBroker:Access:Rules:2:Role"] = "Payments.All",
        ["TokenBroker:Access:Rules:2:Connections:payments"] = "*",
        ["TokenBroker:Access:Rules:3:AppId"] = "eu-app",
        ["TokenBroker:Access:Rules:3:Connections:payments_eu"] = "eu.read",
    });

    public void Dispose() => _harness.Dispose();

    private AccessPolicy Policy => _harness.Services.GetRequiredService<AccessPolicy>();

    private Connection Connection(string name) =>
        _harness.Services.GetRequiredService<ConnectionRegistry>().TryGet(name, out var connection) ? connection : throw new InvalidOperationException(name);

    private static Caller Jwt(string? appId = null, string? objectId = null, params string[] roles) =>
        new(CallerMode.Jwt, appId, objectId, [.. roles]);

    private AccessDecision Evaluate(Caller caller, string scopes, string connection = "payments") =>
        Policy.Evaluate(caller, Connection(connection), ScopeSet.Parse(scopes));

    [Fact]
    public void A_caller_no_rule_names_is_refused_every_connection()
    {
        var stranger = Jwt(appId: "stranger-app");

        var byName = Policy.EvaluateConnection(stranger, "payments");
        var byScopes = Evaluate(stranger, "api.read");

        Assert.False(byName.Allowed);
        Assert.False(byScopes.Allowed);
        Assert.Equal("The caller may not obtain tokens for connection 'payments'.", byName.Reason);
        Assert.Equal(byName.Reason, byScopes.Reason);
    }

    [Fact]
    public void A_refused_caller_gets_the_same_words_for_a_connection_that_does_not_exist()
    {
        var stranger = Jwt(appId: "stranger-app");

        var configured = Policy.EvaluateConnection(stranger, "payments");
        var missing = Policy.EvaluateConnection(stranger, "nosuch");

        Assert.Equal(configured.Reason!.Replace("payments", "nosuch", StringComparison.Ordinal), missing.Reason);
    }

    [Fact]
    public void A_rule_by_app_id_grants_its_scopes_and_no_others_and_the_refusal_names_only_the_missing_ones()
    {
        var reader = Jwt(appId: "reader-app");

        Assert.True(Policy.EvaluateConnection(reader, "payments").Allowed);
        Assert.True(Evaluate(reader, "api.read").Allowed);
        var refused = Evaluate(reader, "api.read api.write");

        Assert.False(refused.Allowed);
        Assert.Equal("The caller may not obtain the scope(s) api.write of connection 'payments'.", refused.Reason);
    }

    [Fact]
    public void Application_and_object_ids_match_without_regard_to_case_but_roles_match_exactly()
    {
        Assert.True(Evaluate(Jwt(appId: "READER-APP"), "api.read").Allowed);
        Assert.True(Evaluate(Jwt(objectId: "0B6A5E4C-1111-4D7E-9A49-3F1C2D5E6F70"), "api.write").Allowed);
        Assert.True(Evaluate(Jwt(roles: ["Payments.All"]), "api.admin").Allowed);
        Assert.False(Evaluate(Jwt(roles: ["payments.all"]), "api.admin").Allowed);
    }

    [Fact]
    public void A_star_grants_every_scope_the_connection_allows()
    {
        var all = Jwt(roles: ["Payments.All"]);

        Assert.True(Evaluate(all, "api.read api.write api.admin").Allowed);
    }

    [Fact]
    public void A_caller_matching_several_rules_gets_the_union_of_their_scopes()
    {
        var both = Jwt(appId: "reader-app", objectId: "0b6a5e4c-1111-4d7e-9a49-3f1c2d5e6f70");

        Assert.True(Evaluate(both, "api.read api.write").Allowed);
        Assert.False(Evaluate(both, "api.admin").Allowed);
    }

    [Fact]
    public void A_rule_granting_one_connection_grants_no_other()
    {
        var reader = Jwt(appId: "reader-app");

        Assert.False(Policy.EvaluateConnection(reader, "payments-eu").Allowed);
        Assert.False(Evaluate(reader, "eu.read", "payments-eu").Allowed);
    }

    [Fact]
    public void A_rule_may_name_a_connection_by_its_setting_key_and_grants_it_under_its_name()
    {
        var eu = Jwt(appId: "eu-app");

        Assert.True(Policy.EvaluateConnection(eu, "payments-eu").Allowed);
        Assert.True(Evaluate(eu, "eu.read", "payments-eu").Allowed);
        Assert.False(Evaluate(eu, "eu.write", "payments-eu").Allowed);
    }

    [Theory]
    [InlineData(CallerMode.Development)]
    [InlineData(CallerMode.FunctionKeyOnly)]
    public void Without_caller_identity_the_policy_does_not_apply(CallerMode mode)
    {
        var caller = new Caller(mode, null, null, ImmutableArray<string>.Empty);

        Assert.True(Policy.EvaluateConnection(caller, "payments").Allowed);
        Assert.True(Evaluate(caller, "api.admin").Allowed);
    }

    [Fact]
    public void A_refusal_is_logged_with_the_caller_and_the_reason()
    {
        Evaluate(Jwt(appId: "reader-app"), "api.admin");

        var denied = Assert.Single(_harness.Logs.Collector.GetSnapshot(), r => r.Id.Id == 7102);
        Assert.Contains("reader-app", denied.Message, StringComparison.Ordinal);
        Assert.Contains("scope not granted", denied.Message, StringComparison.Ordinal);
    }
}
