using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenBroker.Host;

namespace TokenBroker.Tests.Host;

/// <summary>
/// The rotation queue's settings are checked at start-up against the Queue service's own rules, so a typo stops the host
/// with the key named instead of the pump failing on every poll. The rules are Azure's:
/// - "A queue name must be from 3 through 63 characters long", "must start with a letter or number, and can only contain
///   letters, numbers, and the dash (-) character", "Consecutive dash characters are not permitted", "All letters in a
///   queue name must be lowercase" (https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata);
/// - a message's visibility timeout "must be larger than or equal to 0, and cannot be larger than 7 days" (Put Message
///   and Update Message, as the Azure SDK documents <c>visibilityTimeout</c>:
///   https://azuresdkdocs.z19.web.core.windows.net/javascript/azure-storage-queue/12.27.0/interfaces/MessagesEnqueueOptionalParams.html).
/// </summary>
public sealed class RotationQueueOptionsValidatorTests
{
    private const string Prefix = "TokenBroker:RotationQueue:";

    private static ValidateOptionsResult Validate(RotationQueueOptions options) => new RotationQueueOptionsValidator().Validate(null, options);

    [Fact]
    public void The_defaults_are_valid() => Assert.True(Validate(new RotationQueueOptions()).Succeeded);

    [Theory]
    [InlineData("abc")]
    [InlineData("secret-rotation-events")]
    [InlineData("0rotation-1")]
    public void A_queue_name_by_the_queue_services_rules_is_accepted(string name) =>
        Assert.True(Validate(new RotationQueueOptions { QueueName = name }).Succeeded);

    [Theory]
    [InlineData("ab")] // under 3 characters
    [InlineData("Secret-Rotation")] // upper case
    [InlineData("secret--rotation")] // consecutive dashes
    [InlineData("-secret")] // starts with a dash
    [InlineData("secret-")] // ends with a dash
    [InlineData("secret_rotation")] // not a letter, digit or dash
    [InlineData("")]
    public void A_queue_name_against_the_queue_services_rules_stops_start_up_naming_the_key(string name)
    {
        var result = Validate(new RotationQueueOptions { QueueName = name });

        Assert.Contains(result.Failures!, f => f.StartsWith(Prefix + "QueueName", StringComparison.Ordinal));
    }

    [Fact]
    public void A_queue_name_leaves_room_for_the_poison_queue()
    {
        // The poison queue is "{QueueName}-poison": it must fit in 63 characters too.
        Assert.True(Validate(new RotationQueueOptions { QueueName = new string('q', 63 - "-poison".Length) }).Succeeded);
        Assert.False(Validate(new RotationQueueOptions { QueueName = new string('q', 63 - "-poison".Length + 1) }).Succeeded);
    }

    [Fact]
    public void Every_other_setting_out_of_range_is_reported_at_once_naming_its_key()
    {
        var result = Validate(new RotationQueueOptions
        {
            ServiceUri = new Uri("queues/relative", UriKind.Relative),
            MaxDequeueCount = 0,
            PollInterval = TimeSpan.Zero,
            RetryDelay = TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1),
        });

        Assert.Equal(
            ["ServiceUri", "MaxDequeueCount", "PollInterval", "RetryDelay"],
            result.Failures!.Select(f => f.Split(' ')[0][Prefix.Length..]));
    }

    [Fact]
    public void A_retry_delay_of_seven_days_is_the_longest_accepted() =>
        Assert.True(Validate(new RotationQueueOptions { RetryDelay = TimeSpan.FromDays(7) }).Succeeded);

    [Fact]
    public async Task The_standalone_host_refuses_to_start_with_an_invalid_rotation_queue()
    {
        var builder = BrokerHost.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Development"]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenBroker:Connections:payments:TokenEndpoint"] = "https://login.example.test/oauth2/token",
            ["TokenBroker:Connections:payments:ClientId"] = "payments-client",
            ["TokenBroker:Connections:payments:SecretName"] = "payments-secret",
            ["TokenBroker:Connections:payments:Scopes"] = "api.read",
            ["TokenBroker:RotationQueue:QueueName"] = "Not_A_Queue",
        });
        await using var app = BrokerHost.Build(builder);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains(Prefix + "QueueName 'Not_A_Queue'", error.Message, StringComparison.Ordinal);
    }
}
