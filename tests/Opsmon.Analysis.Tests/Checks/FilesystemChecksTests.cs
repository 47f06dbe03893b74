using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class FilesystemChecksTests
{
    [Fact]
    public void Free_space_below_5_percent_is_critical()
    {
        var finding = new SyntheticMachine { FsAvail = 3e9 }.Analyze().Worst("filesystem.space");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("filesystem:/", finding.Resource);
        Assert.Equal(3, finding.Evidence.Single(static e => e.Name == "free_percent").Value, 0.1);
    }

    [Fact]
    public void Free_space_below_10_percent_is_a_warning()
    {
        var finding = new SyntheticMachine { FsAvail = 8e9 }.Analyze().Worst("filesystem.space");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Free_inodes_below_5_percent_is_critical()
    {
        var finding = new SyntheticMachine { FsFilesFree = 1e5 }.Analyze().Worst("filesystem.inodes");

        Assert.Equal(Severity.Critical, finding.Severity);
    }

    [Fact]
    public void Filesystem_full_within_4_hours_with_a_long_history_is_critical_and_names_the_writer()
    {
        // A day at 15 s; 10 GB left, filling 1 MB/s: full in about 2.8 hours.
        var m = new SyntheticMachine { Samples = 5760, StepMs = 15_000, FsAvail = 10e9, FsFillRate = 1e6 };
        m.Processes.Add(new SyntheticProcess(3131, "logger", 0.01, 5e6, IoBytesPerSecond: 1e6));

        var finding = m.Analyze().Worst("filesystem.full_forecast");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(3131, "logger"));
        Assert.Equal(10_000, finding.Evidence.Single(static e => e.Name == "seconds_until_full").Value, 500.0);
    }

    [Fact]
    public void Filesystem_forecast_from_a_short_history_never_alarms()
    {
        // Two minutes of history cannot support a forecast hours ahead, however steep.
        var finding = new SyntheticMachine { FsAvail = 10e9, FsFillRate = 1e6 }.Analyze().Worst("filesystem.full_forecast");

        Assert.Equal(Severity.Ok, finding.Severity);
        Assert.True(finding.Evidence.Single(static e => e.Name == "confidence").Value < 0.9);
    }
}
