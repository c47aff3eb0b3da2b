using System.Text.Json;
using TokenBroker.Functions.Functions;

namespace TokenBroker.Tests.Functions.Functions;

/// <summary>Reads the functions.metadata the Functions SDK generates: what Azure will actually run.</summary>
public sealed class FunctionMetadataTests
{
    private static readonly JsonElement[] Functions = Load();

    private static JsonElement[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}");
        return [.. JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray()];
    }

    private static JsonElement Trigger(string function) =>
        Functions.Single(f => f.GetProperty("name").GetString() == function)
            .GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In");

    [Fact]
    public void Token_is_a_function_key_POST_on_token_connection()
    {
        var trigger = Trigger(TokenFunction.Name);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("token/{connection}", trigger.GetProperty("route").GetString());
    }

    [Fact]
    public void Health_is_an_anonymous_GET()
    {
        var trigger = Trigger(HealthFunction.Name);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("health", trigger.GetProperty("route").GetString());
    }

    [Fact]
    public void RefreshTokens_is_a_timer_on_the_configured_schedule_that_does_not_run_on_startup()
    {
        var trigger = Trigger(RefreshTokensFunction.Name);
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%TokenBroker:Refresh:Schedule%", trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
    }

    [Fact]
    public void SecretRotationEvents_is_a_queue_trigger_on_the_rotation_queue_over_the_host_storage_connection()
    {
        var trigger = Trigger(SecretRotationEventsFunction.Name);
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("secret-rotation-events", trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Theory]
    [InlineData(OperationsFunctions.ListName, "get", "ops/connections")]
    [InlineData(OperationsFunctions.RefreshName, "post", "ops/connections/{connection}/refresh")]
    [InlineData(OperationsFunctions.EvictName, "post", "ops/connections/{connection}/evict")]
    [InlineData(OperationsFunctions.RotateName, "post", "ops/connections/{connection}/rotate")]
    public void Operations_functions_sit_behind_the_function_key(string name, string method, string route)
    {
        var trigger = Trigger(name);
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(route, trigger.GetProperty("route").GetString());
    }

    [Fact]
    public void Every_function_is_accounted_for()
    {
        Assert.Equal(
            new[]
            {
                HealthFunction.Name, RefreshTokensFunction.Name, SecretRotationEventsFunction.Name, TokenFunction.Name,
                OperationsFunctions.ListName, OperationsFunctions.RefreshName, OperationsFunctions.EvictName,
                OperationsFunctions.RotateName,
            }.Order(),
            Functions.Select(f => f.GetProperty("name").GetString()!).Order());
    }
}
