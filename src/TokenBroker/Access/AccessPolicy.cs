using System.Collections.Frozen;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Connections;
using TokenBroker.Diagnostics;

namespace TokenBroker.Access;

/// <summary>
/// Default deny: a caller gets a connection's token only when a rule naming it (by application id, object id or app role)
/// lists that connection, and only scopes the rule allows. Rules are compiled once at start-up.
/// </summary>
internal sealed partial class AccessPolicy
{
    private readonly (Func<Caller, bool> Matches, FrozenDictionary<string, ScopeSet> Grants)[] _rules;
    private readonly ILogger<AccessPolicy> _logger;
    private readonly Redactor _callerRedactor;

    /// <summary>Compiles the rules of validated options against the configured connections.</summary>
    public AccessPolicy(IOptions<AccessOptions> options, ConnectionRegistry connections, ILogger<AccessPolicy> logger, IRedactorProvider? redactors = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(connections);
        _logger = logger;

        // Every decision is logged with the caller; the host's redactor for caller ids (AddRedaction) decides how it appears.
        _callerRedactor = (redactors ?? NullRedactorProvider.Instance).GetRedactor(TokenBrokerTaxonomy.CallerIdentifier);
        _rules = [.. options.Value.Rules.Select(rule => (Matcher(rule), Grants(rule, connections)))];
    }

    /// <summary>
    /// Whether any rule grants <paramref name="caller"/> the connection named <paramref name="connectionName"/> (syntax-checked,
    /// configured or not); a refusal is logged. Asked before anything that depends on configuration: rules only ever grant
    /// configured connections, so a caller refused here gets the same words whether or not the connection exists.
    /// </summary>
    public AccessDecision EvaluateConnection(Caller caller, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        if (caller.Mode is CallerMode.Development or CallerMode.FunctionKeyOnly
            || _rules.Any(rule => rule.Grants.ContainsKey(connectionName) && rule.Matches(caller)))
        {
            return AccessDecision.Allow;
        }

        LogDenied(caller, connectionName, string.Empty, "no rule grants the connection");
        return ConnectionDenied(connectionName);
    }

    /// <summary>Decides whether <paramref name="caller"/> may obtain <paramref name="scopes"/> of <paramref name="connection"/>, and logs it.</summary>
    public AccessDecision Evaluate(Caller caller, Connection connection, ScopeSet scopes)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(scopes);
        if (caller.Mode is CallerMode.Development or CallerMode.FunctionKeyOnly)
        {
            LogAllowed(caller, connection.Name, scopes.Value);
            return AccessDecision.Allow;
        }

        var granted = new HashSet<string>(StringComparer.Ordinal);
        var connectionListed = false;
        foreach (var (matches, grants) in _rules)
        {
            if (matches(caller) && grants.TryGetValue(connection.Name, out var allowed))
            {
                connectionListed = true;
                granted.UnionWith(allowed.Items);
            }
        }

        if (!connectionListed)
        {
            LogDenied(caller, connection.Name, scopes.Value, "no rule grants the connection");
            return ConnectionDenied(connection.Name);
        }

        var missing = scopes.Items.Where(scope => !granted.Contains(scope)).ToList();
        if (missing.Count > 0)
        {
            LogDenied(caller, connection.Name, scopes.Value, "scope not granted");
            return new AccessDecision(false, $"The caller may not obtain the scope(s) {string.Join(' ', missing)} of connection '{connection.Name}'.");
        }

        LogAllowed(caller, connection.Name, scopes.Value);
        return AccessDecision.Allow;
    }

    private static AccessDecision ConnectionDenied(string connectionName) =>
        new(false, $"The caller may not obtain tokens for connection '{connectionName}'.");

    private void LogAllowed(Caller caller, string connection, string scope)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var callerId = _callerRedactor.Redact(caller.Id);
            Log.Allowed(_logger, callerId, connection, scope);
        }
    }

    private void LogDenied(Caller caller, string connection, string scope, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var callerId = _callerRedactor.Redact(caller.Id);
            Log.Denied(_logger, callerId, connection, scope, reason);
        }
    }

    private static Func<Caller, bool> Matcher(AccessRule rule) =>
        rule.AppId is { } appId ? caller => string.Equals(caller.AppId, appId, StringComparison.OrdinalIgnoreCase)
        : rule.ObjectId is { } objectId ? caller => string.Equals(caller.ObjectId, objectId, StringComparison.OrdinalIgnoreCase)
        : rule.Role is { } role ? caller => caller.HasRole(role)
        : _ => false;

    private static FrozenDictionary<string, ScopeSet> Grants(AccessRule rule, ConnectionRegistry connections) =>
        rule.Connections
            .Where(pair => connections.TryGetConfigured(pair.Key, out _))
            .ToFrozenDictionary(
                pair => connections.TryGetConfigured(pair.Key, out var c) ? c.Name : pair.Key,
                pair => pair.Value.Trim() == "*" && connections.TryGetConfigured(pair.Key, out var c) ? c.AllowedScopes : ScopeSet.Parse(pair.Value),
                StringComparer.OrdinalIgnoreCase);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AccessAllowed, Level = LogLevel.Debug, Message = "Access allowed: caller {CallerId} connection {Connection} scope '{Scope}'")]
        public static partial void Allowed(ILogger logger, string callerId, string connection, string scope);

        [LoggerMessage(EventId = EventIds.AccessDenied, Level = LogLevel.Warning, Message = "Access denied: caller {CallerId} connection {Connection} scope '{Scope}': {Reason}")]
        public static partial void Denied(ILogger logger, string callerId, string connection, string scope, string reason);
    }
}
