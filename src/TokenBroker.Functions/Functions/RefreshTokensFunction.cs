using Microsoft.Azure.Functions.Worker;
using TokenBroker.Refresh;

namespace TokenBroker.Functions.Functions;

/// <summary>The proactive refresh, on the schedule in <c>TokenBroker:Refresh:Schedule</c>.</summary>
public sealed class RefreshTokensFunction(TokenRefreshJob job)
{
    /// <summary>The function's name in functions.metadata and in Azure.</summary>
    public const string Name = "RefreshTokens";

    /// <summary>The app setting holding the schedule, in the binding-expression form the trigger takes.</summary>
    public const string Schedule = "%TokenBroker:Refresh:Schedule%";

    /// <summary>
    /// Runs the job. RunOnStartup stays off: every instance start would otherwise refresh at once. A run that fires twice
    /// or late is harmless: the job refreshes only what is due, one instance per entry.
    /// </summary>
    [Function(Name)]
    public Task RunAsync([TimerTrigger(Schedule, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return job.RunAsync(timer.IsPastDue, cancellationToken);
    }
}
