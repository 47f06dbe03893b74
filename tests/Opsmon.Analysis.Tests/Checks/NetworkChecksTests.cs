using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class NetworkChecksTests
{
    [Fact]
    public void Interface_errors_are_a_warning_on_that_interface()
    {
        var finding = new SyntheticMachine { NetErrorsPerSecond = 5 }.Analyze().Worst("network.errors");

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("network:eth0", finding.Resource);
    }

    [Fact]
    public void Interface_drops_above_1000_per_second_are_critical()
    {
        var finding = new SyntheticMachine { NetDropsPerSecond = 2000 }.Analyze().Worst("network.drops");

        Assert.Equal(Severity.Critical, finding.Severity);
    }

    [Fact]
    public void Tcp_retransmit_ratio_above_5_percent_is_critical()
    {
        var finding = new SyntheticMachine { TcpOutSegsPerSecond = 1000, TcpRetransPerSecond = 80 }.Analyze().Worst("network.tcp_retransmits");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(8, finding.Evidence[0].Value, 0.01);
    }

    [Fact]
    public void Tcp_retransmit_ratio_on_a_quiet_link_is_not_judged()
    {
        var finding = new SyntheticMachine { TcpOutSegsPerSecond = 2, TcpRetransPerSecond = 1 }.Analyze().Worst("network.tcp_retransmits");

        Assert.Equal(Severity.Ok, finding.Severity);
    }
}
