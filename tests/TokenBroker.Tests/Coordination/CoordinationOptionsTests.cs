using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Coordination;
using TokenBroker.Tests.Support;

namespace TokenBroker.Tests.Coordination;

public sealed class CoordinationOptionsTests
{
    private static CoordinationOptions Options(Dictionary<string, string?> settings)
    {
        using var harness = new CoreHarness(settings);
        return harness.Services.GetRequiredService<IOptions<CoordinationOptions>>().Value;
    }

    [Fact]
    public void Coordination_settings_are_read_from_their_own_section()
    {
        var options = Options(new()
        {
            ["TokenBroker:Coordination:LeaseDuration"] = "00:00:45",
            ["TokenBroker:Coordination:PeerWait"] = "00:00:03",
            ["TokenBroker:Coordination:PeerPollInterval"] = "00:00:00.050",
            ["TokenBroker:Coordination:RejectionHold"] = "00:01:00",
        });

        Assert.Equal(
            (TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1)),
            (options.LeaseDuration, options.PeerWait, options.PeerPollInterval, options.RejectionHold));
    }

    [Fact]
    public void The_keys_first_documented_under_refresh_still_work_and_the_own_section_wins()
    {
        var options = Options(new()
        {
            ["TokenBroker:Refresh:PeerPollInterval"] = "00:00:00.020",
            ["TokenBroker:Refresh:RejectionHold"] = "00:00:05",
            ["TokenBroker:Coordination:RejectionHold"] = "00:00:07",
        });

        Assert.Equal(TimeSpan.FromMilliseconds(20), options.PeerPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(7), options.RejectionHold);
        Assert.Equal(new CoordinationOptions().LeaseDuration, options.LeaseDuration);
    }

    [Fact]
    public void Every_setting_out_of_range_stops_start_up_naming_its_key()
    {
        using var harness = new CoreHarness(new Dictionary<string, string?>
        {
            ["TokenBroker:Coordination:LeaseDuration"] = "00:00:00",
            ["TokenBroker:Coordination:PeerWait"] = "00:05:00",
            ["TokenBroker:Coordination:PeerPollInterval"] = "00:00:00.001",
            ["TokenBroker:Coordination:RejectionHold"] = "-00:00:01",
        });

        var error = Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<CoordinationOptions>>().Value);

        Assert.Equal(
            ["LeaseDuration", "PeerWait", "PeerPollInterval", "RejectionHold"],
            error.Failures.Select(f => f.Split(' ')[0]["TokenBroker:Coordination:".Length..]));
    }
}
