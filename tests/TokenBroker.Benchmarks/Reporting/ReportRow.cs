namespace TokenBroker.Benchmarks.Reporting;

/// <summary>One line of the report: a figure, what was measured, the target and the verdict.</summary>
internal sealed record ReportRow(string Figure, string Measured, string Target, string Result, string? Note = null)
{
    public const string Pass = "PASS";
    public const string Short = "SHORT";
    public const string Pending = "pending";
    public const string Info = "info";
    public const string Invalid = "INVALID";

    public static string Verdict(bool met) => met ? Pass : Short;
}
