using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class DiskChecksTests
{
    private static SyntheticMachine WithWriter(SyntheticMachine m)
    {
        m.Processes.Add(new SyntheticProcess(9090, "dd", 0.3, 5e6, IoBytesPerSecond: 400e6));
        return m;
    }

    [Fact]
    public void Disk_busy_above_95_percent_is_critical_and_names_the_top_io_process()
    {
        var finding = WithWriter(new SyntheticMachine { DiskBusy = 0.99 }).Analyze().Worst("disk.utilization");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("disk:sda", finding.Resource);
        Assert.True(finding.Names(9090, "dd"));
    }

    [Fact]
    public void Disk_busy_between_thresholds_is_a_warning()
    {
        var finding = new SyntheticMachine { DiskBusy = 0.85 }.Analyze().Worst("disk.utilization");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Await_above_200_ms_is_critical()
    {
        var finding = WithWriter(new SyntheticMachine { DiskAwaitSeconds = 0.3 }).Analyze().Worst("disk.await");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(300, finding.Evidence.Single(static e => e.Name == "await").Value, 1.0);
    }

    [Fact]
    public void Deep_queue_is_a_warning()
    {
        var finding = WithWriter(new SyntheticMachine { DiskQueueDepth = 12 }).Analyze().Worst("disk.queue");

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.True(finding.Names(9090, "dd"));
    }

    [Fact]
    public void Io_pressure_above_50_percent_is_critical()
    {
        var finding = WithWriter(new SyntheticMachine { IoPressure = 0.7 }).Analyze().Worst("io.pressure");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(9090, "dd"));
    }

    [Fact]
    public void Blocked_tasks_are_critical_above_16()
    {
        var finding = WithWriter(new SyntheticMachine { ProcsBlocked = 20 }).Analyze().Worst("process.blocked");

        Assert.Equal(Severity.Critical, finding.Severity);
    }
}
