using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

/// <summary>A cgroup that stalls on its own limit while the machine does not.</summary>
public sealed class CgroupPressureTests
{
    private static DoctorReport Scenario(double memorySome, double ioSome)
    {
        var q = new SyntheticMachine().Build();
        foreach (var cgroup in new[] { "/", "/box", "/box/inner" })
        {
            // Parents include their children's stalls.
            q.Counter("opsmon_cgroup_pressure_waiting_seconds_total", cgroup == "/" ? 0.01 : memorySome, 0, ("cgroup", cgroup), ("resource", "memory"));
            q.Counter("opsmon_cgroup_pressure_stalled_seconds_total", cgroup == "/" ? 0 : memorySome / 2, 0, ("cgroup", cgroup), ("resource", "memory"));
            q.Counter("opsmon_cgroup_pressure_waiting_seconds_total", cgroup == "/" ? 0.01 : ioSome, 0, ("cgroup", cgroup), ("resource", "io"));
            q.Counter("opsmon_cgroup_pressure_waiting_seconds_total", 0.01, 0, ("cgroup", cgroup), ("resource", "cpu"));
        }

        q.Counter("opsmon_cgroup_memory_events_total", 2, 0, ("cgroup", "/box/inner"), ("event", "high"));
        return new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());
    }

    [Fact]
    public void Memory_stalls_in_a_cgroup_are_critical_above_30_percent_naming_the_deepest_group_and_its_memory_high_events()
    {
        var report = Scenario(memorySome: 0.35, ioSome: 0);

        var finding = Assert.Single(report.Findings, static f => f.Id == "cgroup.memory.pressure");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("cgroup:/box/inner", finding.Resource);
        Assert.Equal("/box/inner", finding.Cgroups[0].Cgroup);
        Assert.Contains("stalled on memory 35.0% of the time while it was held at its memory.high (238 times)", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains(finding.Evidence, static e => e.Name == "full" && Math.Abs(e.Value - 17.5) < 0.1);
    }

    [Fact]
    public void Io_stalls_in_a_cgroup_above_20_percent_are_a_warning()
    {
        var report = Scenario(memorySome: 0, ioSome: 0.25);

        var finding = Assert.Single(report.Findings, static f => f.Id == "cgroup.io.pressure");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("stalled on io 25.0%", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Cgroups_stalling_little_are_not_reported()
    {
        var report = Scenario(memorySome: 0.02, ioSome: 0.05);

        Assert.DoesNotContain(report.Findings, static f => f.Id.StartsWith("cgroup.", StringComparison.Ordinal) && f.Id.EndsWith(".pressure", StringComparison.Ordinal));
    }
}
