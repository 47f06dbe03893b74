using Opsmon.Analysis.Checks;
using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Checks;

public sealed class HealthyMachineTests
{
    [Fact]
    public void Idle_machine_has_no_finding_above_ok()
    {
        var report = new SyntheticMachine().Analyze();

        Assert.DoesNotContain(report.Findings, static f => f.Severity != Severity.Ok);
        Assert.Equal(Severity.Ok, report.Severity);
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public void Idle_machine_is_seen_by_every_check_that_reports_ok_figures()
    {
        var report = new SyntheticMachine().Analyze();

        string[] expected =
        [
            "cpu.utilization", "cpu.runqueue", "cpu.pressure", "cpu.iowait", "cpu.steal", "memory.available", "memory.pressure",
            "memory.swap", "memory.major_faults", "memory.oom_kill", "disk.utilization", "disk.await", "io.pressure",
            "filesystem.space", "network.errors", "network.tcp_retransmits", "fd.system", "process.zombies", "process.blocked",
            "process.top_cpu", "process.top_memory",
        ];
        Assert.All(expected, id => Assert.Contains(report.Findings, f => f.Id == id));
        Assert.DoesNotContain(report.Findings, static f => f.Id == "doctor.check_failed");
    }

    [Fact]
    public void Idle_machine_has_no_leak_suspects()
    {
        var report = new SyntheticMachine().Analyze();

        Assert.Empty(report.Leaks);
    }

    [Fact]
    public void Machine_without_data_gives_an_empty_healthy_report()
    {
        var q = new SyntheticQuerier();

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        Assert.Empty(report.Findings);
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public void Ignored_read_only_and_squashfs_filesystems_are_not_reported_full()
    {
        var report = new SyntheticMachine().Analyze();

        Assert.DoesNotContain(report.Findings, static f => f.Resource == "filesystem:/snap/core/1");
    }

    [Fact]
    public void Every_registered_check_has_a_unique_name()
    {
        var names = CheckRegistry.CreateDefault().Select(static c => c.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }
}
