namespace TokenBroker.Infra.Tests.Bicep;

/// <summary>One finished Bicep CLI invocation.</summary>
internal sealed record BicepRun(string Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>
    /// Every diagnostic line printed (warnings, errors, infos: "file(line,col) : Warning rule: text"), plus
    /// anything else written to standard error. A clean run prints none.
    /// </summary>
    public IReadOnlyList<string> Diagnostics =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line.Contains(") : ", StringComparison.Ordinal)))
            .ToList();

    public override string ToString() =>
        $"bicep {Arguments} exited {ExitCode}{Environment.NewLine}{StandardError}{StandardOutput}";
}
