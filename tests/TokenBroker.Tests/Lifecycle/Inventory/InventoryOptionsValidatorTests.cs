using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Lifecycle.Inventory;
using TokenBroker.Refresh;

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
        Assert.Null(options.MaxRunTime);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RunBudget);
        Assert.Equal(500, options.MaxReadsPerRun);
        Assert.Equal(8, options.MaxParallelReads);
    }

    [Fact]
    public void The_run_time_budget_is_at_most_a_tenth_of_the_refresh_schedules_interval()
    {
        var everyMinute = new InventoryOptionsValidator(Options.Create(new RefreshOptions()));
        var everyTenSeconds = new InventoryOptionsValidator(Options.Create(new RefreshOptions { Schedule = "*/10 * * * * *" }));
        var everyFiveMinutes = new InventoryOptionsValidator(Options.Create(new RefreshOptions { Schedule = "00:05:00" }));

        Assert.True(everyMinute.Validate(null, new InventoryOptions { MaxRunTime = TimeSpan.FromSeconds(6) }).Succeeded);
        Assert.Contains(everyMinute.Validate(null, new InventoryOptions { MaxRunTime = TimeSpan.FromSeconds(6.5) }).Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:MaxRunTime ", StringComparison.Ordinal));
        Assert.Contains(everyTenSeconds.Validate(null, new InventoryOptions()).Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:MaxRunTime ", StringComparison.Ordinal) && f.Contains("TokenBroker:Refresh:Schedule", StringComparison.Ordinal));
        Assert.True(everyFiveMinutes.Validate(null, new InventoryOptions { MaxRunTime = TimeSpan.FromSeconds(30) }).Succeeded);
    }

    // A schedule faster than the default (tests and demos run it every few hundred milliseconds) must start without an
    // inventory setting of its own; an explicit budget over a tenth of the schedule is still refused at start-up.
    [Theory]
    [InlineData(null, null, "00:00:03")]
    [InlineData("00:00:10", null, "00:00:01")]
    [InlineData("00:00:00.5", null, "00:00:00.1")]
    [InlineData("00:00:10", "00:00:00.5", "00:00:00.5")]
    public void An_unset_budget_is_derived_from_the_refresh_schedule_so_any_valid_schedule_starts(string? schedule, string? maxRunTime, string expected)
    {
        var options = Resolve(schedule, maxRunTime);

        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), options.MaxRunTime);
    }

    [Fact]
    public void An_explicit_budget_over_a_tenth_of_the_schedule_fails_start_up_naming_the_key()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Resolve("00:00:10", "00:00:03"));

        Assert.Contains(failure.Failures, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:MaxRunTime ", StringComparison.Ordinal));
    }

    private static InventoryOptions Resolve(string? schedule, string? maxRunTime)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenBroker:Refresh:Schedule"] = schedule,
            ["TokenBroker:Lifecycle:Inventory:MaxRunTime"] = maxRunTime,
        };
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build());
        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.SectionName);
        services.AddCredentialInventory();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<InventoryOptions>>().Value;
    }

    [Fact]
    public void One_run_may_read_at_most_half_of_what_key_vault_allows_a_vault_in_ten_seconds()
    {
        // https://learn.microsoft.com/azure/key-vault/general/service-limits, "Secrets, managed storage account keys, and
        // vault transactions": all transactions, at most 4,000 in 10 seconds per vault per region. A run lasts under 10 s.
        const int vaultTransactionsPerTenSeconds = 4_000;
        var validator = new InventoryOptionsValidator();

        Assert.True(validator.Validate(null, new InventoryOptions { MaxReadsPerRun = vaultTransactionsPerTenSeconds / 2 }).Succeeded);
        Assert.Contains(validator.Validate(null, new InventoryOptions { MaxReadsPerRun = (vaultTransactionsPerTenSeconds / 2) + 1 }).Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:MaxReadsPerRun ", StringComparison.Ordinal));
        Assert.Contains(validator.Validate(null, new InventoryOptions { MaxReadsPerRun = 0, MaxParallelReads = 0 }).Failures!, f => f.StartsWith("TokenBroker:Lifecycle:Inventory:MaxParallelReads ", StringComparison.Ordinal));
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
