using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class MemoryChecksTests
{
    private const double GiB = 1024.0 * 1024 * 1024;

    private static SyntheticMachine WithHog(SyntheticMachine m)
    {
        m.Processes.Add(new SyntheticProcess(5151, "ollama", 0.5, 14 * GiB) { SwapBytes = 1 * GiB });
        return m;
    }

    [Fact]
    public void Available_memory_below_5_percent_is_critical_and_names_the_largest_process()
    {
        var finding = WithHog(new SyntheticMachine { MemAvailable = 0.6 * GiB }).Analyze().Worst("memory.available");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(5151, "ollama"));
        Assert.Contains("ollama (pid 5151)", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Available_memory_below_10_percent_is_a_warning()
    {
        var finding = new SyntheticMachine { MemAvailable = 1.2 * GiB }.Analyze().Worst("memory.available");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Memory_pressure_above_30_percent_is_critical()
    {
        var finding = WithHog(new SyntheticMachine { MemoryPressure = 0.4 }).Analyze().Worst("memory.pressure");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(5151, "ollama"));
    }

    [Fact]
    public void Heavy_swapping_is_critical_and_names_the_most_swapped_process()
    {
        var finding = WithHog(new SyntheticMachine { SwapInPagesPerSecond = 800, SwapOutPagesPerSecond = 700, SwapFree = 0.2 * GiB })
            .Analyze().Worst("memory.swap");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(5151, "ollama"));
        Assert.Equal(1500 * 4096, finding.Evidence.Single(static e => e.Name == "swap_bytes").Value, 1.0);
    }

    [Fact]
    public void Major_faults_above_100_per_second_are_a_warning()
    {
        var finding = new SyntheticMachine { MajorFaultsPerSecond = 300 }.Analyze().Worst("memory.major_faults");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Oom_kill_in_the_window_is_critical()
    {
        var finding = new SyntheticMachine { OomKillsSinceBoot = 3, OomKillsInWindow = 1 }.Analyze().Worst("memory.oom_kill");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(1, finding.Evidence.Single(static e => e.Name == "oom_kills_in_window").Value);
        Assert.Equal(3, finding.Evidence.Single(static e => e.Name == "oom_kills_since_boot").Value);
    }

    [Fact]
    public void Oom_kills_only_before_the_window_are_ok_but_counted()
    {
        var finding = new SyntheticMachine { OomKillsSinceBoot = 2 }.Analyze().Worst("memory.oom_kill");

        Assert.Equal(Severity.Ok, finding.Severity);
        Assert.Equal(2, finding.Evidence.Single(static e => e.Name == "oom_kills_since_boot").Value);
    }

    [Fact]
    public void Cgroup_near_its_memory_max_is_critical()
    {
        var finding = new SyntheticMachine { CgroupMemoryCurrent = 3.95 * GiB }.Analyze().Worst("cgroup.memory");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("cgroup:/system.slice/app.service", finding.Resource);
    }

    [Fact]
    public void Memory_running_out_within_an_hour_is_critical()
    {
        // 2 GiB available, falling 1 GiB per minute: gone in two minutes.
        var finding = new SyntheticMachine { MemAvailable = 2 * GiB, MemAvailableDecline = GiB / 60 }.Analyze().Worst("memory.exhaustion");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(120, finding.Evidence.Single(static e => e.Name == "seconds_until_exhausted").Value, 12.0);
    }
}
