using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class StatCollectorTests
{
    // debian12-vm/proc/stat: intr 197146 …, ctxt 723778, btime 1795615185, processes 5103, procs_running 1, procs_blocked 0
    [Theory]
    [InlineData("node_intr_total", 197146.0)]
    [InlineData("node_context_switches_total", 723778.0)]
    [InlineData("node_forks_total", 5103.0)]
    [InlineData("node_boot_time_seconds", 1795615185.0)]
    [InlineData("node_procs_running", 1.0)]
    [InlineData("node_procs_blocked", 0.0)]
    public void Reports_each_line_of_the_recorded_tree(string name, double expected)
    {
        var sink = FixtureRoots.Collect(new StatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(name).Value());
    }

    [Theory]
    [InlineData("node_intr_total", MetricType.Counter)]
    [InlineData("node_context_switches_total", MetricType.Counter)]
    [InlineData("node_forks_total", MetricType.Counter)]
    [InlineData("node_boot_time_seconds", MetricType.Gauge)]
    [InlineData("node_procs_running", MetricType.Gauge)]
    [InlineData("node_procs_blocked", MetricType.Gauge)]
    public void Types_match_node_exporter(string name, MetricType type)
    {
        var sink = FixtureRoots.Collect(new StatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(type, sink.Family(name).Type);
    }

    [Fact]
    public void Only_these_six_families_are_reported()
    {
        var sink = FixtureRoots.Collect(new StatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(6, sink.Families.Count);
    }

    [Fact]
    public void A_line_the_kernel_does_not_have_is_left_out()
    {
        var sink = FixtureRoots.Collect(new StatCollector(FixtureRoots.Context("old-kernel-no-psi")));

        Assert.Equal(2.0, sink.Family("node_procs_running").Value());
        Assert.DoesNotContain(sink.Families, f => f.Name == "node_procs_blocked");
    }

    [Fact]
    public void A_missing_proc_stat_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new StatCollector(CollectorContext.For(tree.Root))));
    }
}
