using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class ProcessChecksTests
{
    [Fact]
    public void System_file_handles_above_95_percent_are_critical_and_name_the_holder()
    {
        var m = new SyntheticMachine { FdAllocated = 990_000 };
        m.Processes.Add(new SyntheticProcess(6000, "java", 0.2, 2e9, OpenFds: 900_000) { MaxFds = 1_048_576 });

        var finding = m.Analyze().Worst("fd.system");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(6000, "java"));
    }

    [Fact]
    public void Process_near_its_open_files_limit_is_critical()
    {
        var m = new SyntheticMachine();
        m.Processes.Add(new SyntheticProcess(6001, "leaky-fds", 0.01, 50e6, OpenFds: 1010) { MaxFds = 1024 });

        var finding = m.Analyze().Worst("fd.process");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("process:6001", finding.Resource);
        Assert.True(finding.Names(6001, "leaky-fds"));
    }

    [Fact]
    public void Zombies_above_5_are_a_warning_naming_the_group()
    {
        var finding = new SyntheticMachine { Zombies = 12 }.Analyze().Worst("process.zombies");

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("worker", finding.Processes[0].Name);
    }

    [Fact]
    public void Thread_explosion_is_critical_for_that_process()
    {
        var m = new SyntheticMachine();
        m.Processes.Add(new SyntheticProcess(7007, "spawner", 0.1, 1e9, Threads: 12_000));

        var finding = m.Analyze().Worst("process.threads");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(7007, "spawner"));
    }

    [Fact]
    public void Sensor_within_3_degrees_of_critical_is_critical()
    {
        var finding = new SyntheticMachine { HwmonTemp = 98 }.Analyze().Worst("thermal");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("thermal:platform_coretemp_0/temp1", finding.Resource);
    }

    [Fact]
    public void Hot_thermal_zone_is_a_warning()
    {
        var finding = new SyntheticMachine { ZoneTemp = 93 }.Analyze().Worst("thermal");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Top_consumers_are_listed_as_ok_findings()
    {
        var finding = new SyntheticMachine().Analyze().Worst("process.top_cpu");

        Assert.Equal(Severity.Ok, finding.Severity);
        Assert.Equal("postgres", finding.Processes[0].Name);
        Assert.Equal(0.15, finding.Processes[0].Value, 3);
    }
}
