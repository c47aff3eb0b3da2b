namespace TokenBroker.Benchmarks.Reporting;

/// <summary>The few <c>--name value</c> options the sub-commands take.</summary>
internal static class Arguments
{
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static string RequiredOption(string[] args, string name) =>
        Option(args, name) ?? throw new ArgumentException($"The option {name} is required.");
}
