namespace TokenBroker.Refresh;

/// <summary>What one run of the refresh job did.</summary>
/// <param name="Examined">Entries looked at.</param>
/// <param name="Refreshed">Entries this instance refreshed.</param>
/// <param name="LeasedElsewhere">Due entries another instance was refreshing.</param>
/// <param name="Failed">Refreshes that failed (the current token, if any, is still served until its margin).</param>
/// <param name="Deleted">Idle entries removed.</param>
internal sealed record RefreshReport(int Examined, int Refreshed, int LeasedElsewhere, int Failed, int Deleted);
