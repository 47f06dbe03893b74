using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class CpuChecksTests
{
    private static SyntheticMachine Saturated()
    {
        var m = new SyntheticMachine { CpuUser = 0.9, CpuSystem = 0.09, CpuIowait = 0, ProcsRunning = 20, Load1 = 20, CpuPressure = 0.6 };
        m.Processes.Add(new SyntheticProcess(4242, "stress-ng", 3.8, 20e6));
        return m;
    }

    [Fact]
    public void Cpu_utilization_above_98_percent_is_critical_and_names_the_top_process()
    {
        var finding = Saturated().Analyze().Worst("cpu.utilization");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(4242, finding.Processes[0].Pid);
        Assert.Equal("stress-ng", finding.Processes[0].Name);
        Assert.Contains("stress-ng (pid 4242)", finding.Explanation, StringComparison.Ordinal);
        Assert.NotEmpty(finding.Suggestion);
    }

    [Fact]
    public void Cpu_saturation_is_attributed_to_the_busiest_leaf_cgroup_not_its_ancestors()
    {
        var q = Saturated().Build();
        q.Counter("opsmon_cgroup_cpu_usage_seconds_total", 3.95, labels: ("cgroup", "/"));
        q.Counter("opsmon_cgroup_cpu_usage_seconds_total", 3.85, labels: ("cgroup", "/user.slice"));
        q.Counter("opsmon_cgroup_cpu_usage_seconds_total", 3.8, labels: ("cgroup", "/user.slice/stress.scope"));
        q.Counter("opsmon_cgroup_cpu_usage_seconds_total", 0.1, labels: ("cgroup", "/system.slice/app.service"));

        var finding = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts()).Worst("cpu.utilization");

        Assert.Equal(["/user.slice/stress.scope", "/system.slice/app.service"], finding.Cgroups.Select(static c => c.Cgroup));
        Assert.Equal(3.8, finding.Cgroups[0].Value, 0.01);
    }

    [Fact]
    public void Cpu_utilization_between_thresholds_is_a_warning()
    {
        var finding = new SyntheticMachine { CpuUser = 0.85, CpuSystem = 0.08 }.Analyze().Worst("cpu.utilization");

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(93, finding.Evidence.Single(static e => e.Name == "utilization").Value, 0.5);
    }

    [Fact]
    public void Run_queue_above_four_per_core_is_critical_naming_the_top_process()
    {
        var finding = Saturated().Analyze().Worst("cpu.runqueue");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.True(finding.Names(4242, "stress-ng"));
    }

    [Fact]
    public void Run_queue_falls_back_to_load1_when_procs_running_is_absent()
    {
        var m = new SyntheticMachine { Load1 = 20 };
        var q = m.Build();
        var filtered = new FilteringQuerier(q, "node_procs_running");

        var report = new Analyzer().Run(filtered, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        var finding = report.Worst("cpu.runqueue");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains(finding.Evidence, static e => e.Name == "load1");
    }

    [Fact]
    public void Cpu_pressure_above_50_percent_is_critical()
    {
        var finding = Saturated().Analyze().Worst("cpu.pressure");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal(60, finding.Evidence[0].Value, 0.5);
    }

    [Fact]
    public void Iowait_above_20_percent_is_a_warning_naming_the_top_io_process()
    {
        var m = new SyntheticMachine { CpuIowait = 0.3 };
        m.Processes.Add(new SyntheticProcess(777, "rsync", 0.05, 30e6, IoBytesPerSecond: 150e6));

        var finding = m.Analyze().Worst("cpu.iowait");

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("rsync", finding.Processes[0].Name);
    }

    [Fact]
    public void Steal_above_10_percent_is_a_warning()
    {
        var finding = new SyntheticMachine { CpuSteal = 0.15 }.Analyze().Worst("cpu.steal");

        Assert.Equal(Severity.Warning, finding.Severity);
    }

    [Fact]
    public void Throttled_cgroup_is_named()
    {
        var finding = new SyntheticMachine { CgroupThrottledRatio = 0.8 }.Analyze().Worst("cgroup.cpu.throttled");

        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("/system.slice/app.service", finding.Cgroups[0].Cgroup);
    }

    [Fact]
    public void Cores_are_counted_from_the_cpu_labels_when_not_given()
    {
        var report = new SyntheticMachine { Cores = 6 }.Analyze();

        Assert.Equal(6, report.Machine.Cores);
    }
}
