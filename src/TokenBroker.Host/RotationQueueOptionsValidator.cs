using Microsoft.Extensions.Options;

namespace TokenBroker.Host;

/// <summary>Checks <c>TokenBroker:RotationQueue</c> at start-up and names the key of every problem.</summary>
internal sealed class RotationQueueOptionsValidator : IValidateOptions<RotationQueueOptions>
{
    // The Queue service's rules (Naming Queues and Metadata): 3 to 63 characters.
    private const int MaxQueueName = 63;

    // The Queue service takes a visibility timeout of 0 to 7 days (Update Message, Put Message).
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromDays(7);

    private const string Prefix = RotationQueueOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RotationQueueOptions options)
    {
        var errors = new List<string>();
        if (options.ServiceUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme is not ("https" or "http")))
        {
            errors.Add($"{Prefix}:ServiceUri must be an absolute http or https URL (the Queue service endpoint).");
        }

        // The poison queue is named after the queue, so the queue's name must leave room for the suffix.
        if (!IsQueueName(options.QueueName) || options.QueueName.Length > MaxQueueName - RotationQueueOptions.PoisonSuffix.Length)
        {
            errors.Add($"{Prefix}:QueueName '{(IsPrintable(options.QueueName) ? options.QueueName : "(unprintable)")}' must be 3 to {MaxQueueName - RotationQueueOptions.PoisonSuffix.Length} lower-case letters, digits and single dashes, starting and ending with a letter or digit.");
        }

        if (options.MaxDequeueCount < 1)
        {
            errors.Add($"{Prefix}:MaxDequeueCount must be at least 1.");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.PollInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Prefix}:PollInterval must be more than 00:00:00 and at most 00:05:00.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > LongestRetryDelay)
        {
            errors.Add($"{Prefix}:RetryDelay must be between 00:00:00 and {LongestRetryDelay:c} (the Queue service's longest visibility timeout).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A queue name by the Queue service's rules: 3 to 63 of a-z, 0-9 and '-', no leading, trailing or double dash.</summary>
    internal static bool IsQueueName(string? name) =>
        name is { Length: >= 3 and <= MaxQueueName }
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && name[0] != '-'
        && name[^1] != '-'
        && !name.Contains("--", StringComparison.Ordinal);

    private static bool IsPrintable(string? value) => value is { Length: <= 100 } && value.All(c => !char.IsControl(c));
}
