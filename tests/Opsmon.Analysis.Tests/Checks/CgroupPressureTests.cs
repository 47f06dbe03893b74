using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

/// <summary>A cgroup that stalls on its own limit while the machine does not.</summary>
public sealed class CgroupPressureTests
{
    private static DoctorReport Scenario(double memorySome, double ioSome)
    {
        var machine = new SyntheticMachine();

        // Two processes inside the stalled group (one in a child of it), one large one outside.
        machine.Processes.Add(new SyntheticProcess(4100, "stress-ng-hdd", 0.05, 20e6, IoBytesPerSecond: 1e6) { Cgroup = "/box/inner" });
        machine.Processes.Add(new SyntheticProcess(4101, "stress-ng-hdd", 0.02, 30e6, IoBytesPerSecond: 4e6) { Cgroup = "/box/inner/worker" });
        machine.Processes.Add(new SyntheticProcess(4200, "postgres", 0.3, 900e6, IoBytesPerSecond: 9e6) { Cgroup = "/system.slice/postgres.service" });
        var q = machine.Build();
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
    public void Memory_stalls_in_a_cgroup_name_the_processes_inside_it_largest_first()
    {
        var report = Scenario(memorySome: 0.35, ioSome: 0);

        var finding = Assert.Single(report.Findings, static f => f.Id == "cgroup.memory.pressure");
        Assert.Equal([4101, 4100], finding.Processes.Select(static p => p.Pid ?? 0));
        Assert.Equal("bytes", finding.Processes[0].Unit);
        Assert.Contains("its top process is stress-ng-hdd (pid 4101)", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Io_stalls_in_a_cgroup_name_its_processes_by_their_io_not_the_busier_process_outside()
    {
        var report = Scenario(memorySome: 0, ioSome: 0.25);

        var finding = Assert.Single(report.Findings, static f => f.Id == "cgroup.io.pressure");
        Assert.Equal([4101, 4100], finding.Processes.Select(static p => p.Pid ?? 0));
        Assert.Equal("bytes/s", finding.Processes[0].Unit);
        Assert.InRange(finding.Processes[0].Value, 3.9e6, 4.1e6);
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
