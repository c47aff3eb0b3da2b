using TokenBroker.IntegrationTests.Infrastructure.FunctionsHost;

namespace TokenBroker.IntegrationTests.Functions;

/// <summary>Invalid configuration stops the worker before it serves anything, with the validation message where the host logs it.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class WorkerStartupFailureTests(IntegrationFixture fixture)
{
    [Fact]
    public async Task Invalid_configuration_fails_worker_start_up_with_the_message_naming_the_key_on_its_console()
    {
        await fixture.WorkerAsync();
        var settings = new Dictionary<string, string?>(fixture.WorkerSettings)
        {
            ["TokenBroker:Connections:demo:TokenEndpoint"] = "ftp://tokens.example.com/token",
            ["TokenBroker:TokenCache:TableName"] = IntegrationFixture.NewTableName(),
        };

        var failure = await Assert.ThrowsAsync<WorkerStartupException>(() => FunctionsHost.StartAsync(settings, fixture.Sink, fixture.FunctionKey));

        // The host writes a worker's console output to its own log (LanguageWorkerConsoleLog): that is where Azure shows it.
        Assert.Contains("TokenBroker:Connections:demo:TokenEndpoint", failure.Output, StringComparison.Ordinal);
        Assert.Contains("OptionsValidationException", failure.Output, StringComparison.Ordinal);
        Assert.Contains(fixture.Sink.Emitted, line => line.Contains("LanguageWorkerConsoleLog", StringComparison.Ordinal) && line.Contains("TokenBroker:Connections:demo:TokenEndpoint", StringComparison.Ordinal));
    }
}
