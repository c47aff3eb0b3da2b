using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Access;
using TokenBroker.Audit;
using TokenBroker.Functions.Http;

namespace TokenBroker.Functions.Functions;

/// <summary><c>POST /api/token/{connection}</c>: a token for a named connection.</summary>
public sealed class TokenFunction(ITokenBroker broker, CallerAuthenticator callers, AuditTrail audit, TimeProvider time)
{
    /// <summary>The function's name in functions.metadata and in Azure.</summary>
    public const string Name = "Token";

    /// <summary>The route below the <c>api</c> prefix.</summary>
    public const string Route = "token/{connection}";

    /// <summary>Identifies the caller, reads the optional scope, asks the broker, and writes the token or the problem.</summary>
    [Function(Name)]
    public Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Route)] HttpRequest request,
        string connection,
        CancellationToken cancellationToken) =>
        HandleAsync(request, connection, cancellationToken).AsTask();

    // What the standalone host calls: a warm hit completes synchronously and so allocates no task.
    internal async ValueTask<IActionResult> HandleAsync(HttpRequest request, string connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = await callers.AuthenticateAsync(request, cancellationToken);
        if (!caller.Succeeded)
        {
            audit.Unauthenticated(connection);
            return ProblemResult.Unauthenticated(caller);
        }

        var body = await TokenRequestBody.ReadAsync(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var result = await broker.GetTokenAsync(connection, body.Scope, caller.Caller!, cancellationToken);
        if (result.Succeeded)
        {
            return TokenResponseResult.For(result.Token, time);
        }

        // Refusals are audited here, once decided, whichever step decided: the broker's hit path stays free of it.
        audit.Refused(caller.Caller!, connection, body.Scope, result.Error);
        return ProblemResult.From(result.Error);
    }
}
