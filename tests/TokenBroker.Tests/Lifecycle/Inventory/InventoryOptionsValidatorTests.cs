using TokenBroker.Lifecycle.Inventory;

namespace TokenBroker.Tests.Lifecycle.Inventory;

public sealed class InventoryOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid_hourly_with_windows_of_thirty_and_seven_days()
    {
        var options = new InventoryOptions();

        var result = new InventoryOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded);
        Assert.True(options.Enabled);
        Assert.Equal(TimeSpan.FromHours(1), options.Interval);
        Assert.Equal(TimeSpan.FromDays(30), options.WarningWindow);
        Assert.Equal(TimeSpan.FromDays(7), options.CriticalWindow);
    }

    [Fact]
    public void A_critical_window_not_shorter_than_the_warning_window_is_refused_by_its_full_key()
    {
        var result = new InventoryOptionsValidator().Validate(null, new InventoryOptions { CriticalWindow = TimeSpan.FromDays(30) });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:CriticalWindow ", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_bad_setting_is_named_by_its_full_key()
    {
        var result = new InventoryOptionsValidator().Validate(null, new InventoryOptions { Interval = TimeSpan.FromSeconds(5), WarningWindow = TimeSpan.Zero, CriticalWindow = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:Interval ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:WarningWindow ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:CriticalWindow ", StringComparison.Ordinal));
    }
}
