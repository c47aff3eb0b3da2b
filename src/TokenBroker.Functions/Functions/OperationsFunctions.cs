using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Functions.Http;
using TokenBroker.Lifecycle.Rotation;
using TokenBroker.Operations;

namespace TokenBroker.Functions.Functions;

/// <summary>
/// The operations endpoints: connection status, forced refresh and eviction. Behind the function key like every route,
/// and then only for callers holding the admin app role or presenting the admin key (<c>x-tokenbroker-admin-key</c>).
/// </summary>
public sealed class OperationsFunctions(OperationsService operations, CallerAuthenticator callers, AuditTrail audit)
{
    /// <summary>The listing function's name.</summary>
    public const string ListName = "OpsListConnections";

    /// <summary>The refresh function's name.</summary>
    public const string RefreshName = "OpsRefreshConnection";

    /// <summary>The eviction function's name.</summary>
    public const string EvictName = "OpsEvictConnection";

    /// <summary>The rotation function's name.</summary>
    public const string RotateName = "OpsRotateConnection";

    /// <summary>The listing route.</summary>
    public const string ListRoute = "ops/connections";

    /// <summary>The refresh route.</summary>
    public const string RefreshRoute = "ops/connections/{connection}/refresh";

    /// <summary>The eviction route.</summary>
    public const string EvictRoute = "ops/connections/{connection}/evict";

    /// <summary>The rotation route.</summary>
    public const string RotateRoute = "ops/connections/{connection}/rotate";

    /// <summary>The header carrying the admin key.</summary>
    public const string AdminKeyHeader = "x-tokenbroker-admin-key";

    /// <summary>Every connection with its cache status (expiry, last refresh, last error, secret version; never a token).</summary>
    [Function(ListName)]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ListRoute)] HttpRequest request,
        CancellationToken cancellationToken) =>
        (IActionResult?)(await AdmitAsync(request, cancellationToken)).Refused
            ?? OperationsJson.Result(await operations.ListAsync(cancellationToken), OperationsJson.Default.IReadOnlyListConnectionStatus);

    /// <summary>Fetches new tokens for the connection now.</summary>
    [Function(RefreshName)]
    public Task<IActionResult> RefreshAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RefreshRoute)] HttpRequest request,
        string connection,
        CancellationToken cancellationToken) =>
        WhenAdmittedAsync(request, async admission =>
        {
            var results = await operations.RefreshAsync(connection, cancellationToken);
            Audit(admission, "refresh", connection, results is null ? "not_found" : results.All(r => r.Succeeded) ? "succeeded" : "failed");
            return results is null
                ? NotFound(connection)
                : OperationsJson.Result(new RefreshResultBody(connection, [.. results.Select(Item)]), OperationsJson.Default.RefreshResultBody);
        },
        cancellationToken);

    /// <summary>Drops the connection's tokens on every instance.</summary>
    [Function(EvictName)]
    public Task<IActionResult> EvictAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = EvictRoute)] HttpRequest request,
        string connection,
        CancellationToken cancellationToken) =>
        WhenAdmittedAsync(request, async admission =>
        {
            var evicted = await operations.EvictAsync(connection, cancellationToken);
            Audit(admission, "evict", connection, evicted ? "succeeded" : "not_found");
            return evicted ? new StaticJsonResult("""{"evicted":true}"""u8.ToArray()) : NotFound(connection);
        },
        cancellationToken);

    /// <summary>
    /// Plans an automatic rotation of the connection's credential now: 202 with the rotation's state (the next refresh
    /// run starts it), 404 for an unknown connection, 409 when the connection is in manual mode, its credential is not
    /// one the broker rotates, a rotation is already under way, or a certificate's latest version is registered already.
    /// </summary>
    [Function(RotateName)]
    public Task<IActionResult> RotateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = RotateRoute)] HttpRequest request,
        string connection,
        CancellationToken cancellationToken) =>
        WhenAdmittedAsync(request, async admission =>
        {
            var (outcome, row) = await operations.RotateAsync(connection, cancellationToken);
            Audit(admission, "rotate", connection, outcome switch
            {
                PlanOutcome.Planned => "succeeded",
                PlanOutcome.NotFound => "not_found",
                _ => "refused",
            });
            return outcome switch
            {
                PlanOutcome.Planned => new StaticJsonResult(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(RotationStatus.From(row!), OperationsJson.Default.RotationStatus), StatusCodes.Status202Accepted),
                PlanOutcome.NotFound => NotFound(connection),
                PlanOutcome.Manual => new ProblemResult(StatusCodes.Status409Conflict, ProblemCode.RotationManual, "Rotation is manual", $"Connection '{connection}' is rotated by hand: set its Lifecycle:Rotation to Automatic for the broker to rotate it."),
                PlanOutcome.NotSupported => new ProblemResult(StatusCodes.Status409Conflict, ProblemCode.RotationNotSupported, "Rotation not supported", $"The broker cannot rotate the credential of connection '{connection}': only client secrets and certificates are rotated."),
                PlanOutcome.NothingToDo => new ProblemResult(StatusCodes.Status409Conflict, ProblemCode.RotationNothingToDo, "Nothing to rotate", $"Key Vault's latest certificate version of connection '{connection}' is registered at the application already; Key Vault's renewal policy makes the next one."),
                PlanOutcome.Unavailable => new ProblemResult(StatusCodes.Status409Conflict, ProblemCode.RotationUnavailable, "Rotation unavailable", "Automatic rotation needs a Key Vault (TokenBroker:KeyVaultUri) to store the new credential in."),
                _ => new ProblemResult(StatusCodes.Status409Conflict, ProblemCode.RotationInProgress, "Rotation in progress", $"A rotation of connection '{connection}' is already under way{(row is null ? string.Empty : $" (rotation {row.RotationId}, {RotationStatus.StateName(row.State)})")}; the ops listing shows its state."),
            };
        },
        cancellationToken);

    // Every action route: admitted callers only, and the refusal answered as AdmitAsync words it.
    private async Task<IActionResult> WhenAdmittedAsync(HttpRequest request, Func<Admission, Task<IActionResult>> action, CancellationToken cancellationToken)
    {
        var admission = await AdmitAsync(request, cancellationToken);
        return admission.Refused ?? await action(admission);
    }

    private async Task<Admission> AdmitAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = await callers.AuthenticateAsync(request, cancellationToken);
        var identified = caller.Caller ?? Caller.FunctionKeyHolder;
        var check = await operations.CheckAdminAsync(identified, request.Headers[AdminKeyHeader], cancellationToken);
        if (check == AdminCheck.KeyUnavailable)
        {
            return new Admission(AdminKeyUnavailable, caller.Caller, null);
        }

        if (check == AdminCheck.Admitted)
        {
            var credential = identified.Mode == CallerMode.Development ? "development" : identified.HasRole(callers.AdminRole) ? "admin_role" : "admin_key";
            return new Admission(null, caller.Caller, credential);
        }

        var identifiedCaller = caller.Succeeded && caller.Caller!.Mode is CallerMode.Jwt or CallerMode.EasyAuth;
        audit.OperatorRefused(identifiedCaller ? caller.Caller : null);
        return new Admission(identifiedCaller
            ? new ProblemResult(StatusCodes.Status403Forbidden, ProblemCode.CallerNotAllowed, "Caller not allowed", "The operations endpoints need the admin app role or the admin key.")
            : new ProblemResult(StatusCodes.Status401Unauthorized, ProblemCode.Unauthorized, "Unauthorized", "The operations endpoints need the admin app role or the admin key.")
            {
                WwwAuthenticate = "Bearer",
            },
            caller.Caller,
            null);
    }

    private void Audit(Admission admission, string action, string connection, string outcome) =>
        audit.OperatorAction(admission.Caller, admission.Credential!, action, Connections.ConnectionName.IsValid(connection) ? connection : "(invalid name)", outcome);

    private static ProblemResult AdminKeyUnavailable { get; } = new(
        StatusCodes.Status503ServiceUnavailable,
        ProblemCode.AdminKeyUnavailable,
        "Admin key cannot be checked",
        "Key Vault cannot be read now, so the admin key cannot be compared; try again later.")
    {
        RetryAfter = TimeSpan.FromSeconds(10),
    };

    private readonly record struct Admission(ProblemResult? Refused, Caller? Caller, string? Credential);

    private static ProblemResult NotFound(string connection) =>
        ProblemResult.From(new TokenError(TokenErrorKind.ConnectionNotFound, Connections.ConnectionName.NotFoundMessage(connection)));

    private static RefreshResultItem Item(TokenResult result) => result.Succeeded
        ? new RefreshResultItem(result.Token.Scope, true, result.Token.ExpiresOn, result.Token.SecretVersion, null)
        : new RefreshResultItem(result.Error.Detail, false, null, null, ProblemCode.For(result.Error.Kind).Code);
}
