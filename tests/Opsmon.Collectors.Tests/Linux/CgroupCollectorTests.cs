using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>
/// The cgroup v2 collector on the recorded hybrid VM (cgroup2 at /sys/fs/cgroup/unified, root only) and on
/// Fixtures/cgroup2-systemd, a pure v2 host with system.slice/foo.service(/deep) and user.slice.
/// </summary>
public sealed class CgroupCollectorTests
{
    private static MetricSink Systemd(int depth = 2) =>
        FixtureRoots.Collect(new CgroupCollector(FixtureRoots.Context("cgroup2-systemd", new CollectorOptions { CgroupDepth = depth })));

    private static string[] Cgroups(MetricFamily family) => [.. family.Samples.Select(s => s.LabelValues[0])];

    [Fact]
    public void Hybrid_host_reads_the_unified_mount_found_in_mountinfo()
    {
        var sink = FixtureRoots.Collect(new CgroupCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(202.264, sink.Family("opsmon_cgroup_cpu_usage_seconds_total").Value("/"));
        Assert.Equal(144.404, sink.Family("opsmon_cgroup_cpu_user_seconds_total").Value("/"));
        Assert.Equal(57.86, sink.Family("opsmon_cgroup_cpu_system_seconds_total").Value("/"));
        Assert.Equal(38.134155, sink.Family("opsmon_cgroup_pressure_waiting_seconds_total").Value("/", "cpu"));
        Assert.Equal(1.216321, sink.Family("opsmon_cgroup_pressure_stalled_seconds_total").Value("/", "io"));
    }

    [Fact]
    public void Files_a_cgroup_lacks_are_skipped()
    {
        var sink = FixtureRoots.Collect(new CgroupCollector(FixtureRoots.Context("debian12-vm")));

        Assert.DoesNotContain(sink.Families, f => f.Name is "opsmon_cgroup_memory_current_bytes" or "opsmon_cgroup_pids_current" or "opsmon_cgroup_cpu_periods_total");
    }

    [Fact]
    public void Cgroups_are_labelled_by_path_below_the_mount_down_to_the_configured_depth()
    {
        var sink = Systemd();

        Assert.Equal(["/system.slice", "/system.slice/foo.service", "/user.slice"], Cgroups(sink.Family("opsmon_cgroup_memory_current_bytes")));
    }

    [Fact]
    public void Depth_one_stops_at_the_slices()
    {
        var sink = Systemd(depth: 1);

        Assert.Equal(["/system.slice", "/user.slice"], Cgroups(sink.Family("opsmon_cgroup_memory_current_bytes")));
    }

    [Fact]
    public void Memory_limit_max_is_infinite_and_a_number_is_bytes()
    {
        var sink = Systemd();

        Assert.Equal(double.PositiveInfinity, sink.Family("opsmon_cgroup_memory_max_bytes").Value("/system.slice/foo.service"));
        Assert.Equal(536870912, sink.Family("opsmon_cgroup_memory_high_bytes").Value("/system.slice/foo.service"));
        Assert.Equal(104857600, sink.Family("opsmon_cgroup_memory_current_bytes").Value("/system.slice/foo.service"));
    }

    [Fact]
    public void Memory_events_are_counters_by_event_without_unknown_keys()
    {
        var events = Systemd().Family("opsmon_cgroup_memory_events_total");

        Assert.Equal(3, events.Value("/system.slice/foo.service", "high"));
        Assert.Equal(1, events.Value("/system.slice", "oom_kill"));
        Assert.Equal(["low", "high", "max", "oom", "oom_kill"], events.Samples.Where(s => s.LabelValues[0] == "/system.slice").Select(s => s.LabelValues[1]));
    }

    [Fact]
    public void Cpu_throttling_converts_microseconds_to_seconds()
    {
        var sink = Systemd();

        Assert.Equal(50, sink.Family("opsmon_cgroup_cpu_periods_total").Value("/system.slice/foo.service"));
        Assert.Equal(5, sink.Family("opsmon_cgroup_cpu_throttled_periods_total").Value("/system.slice/foo.service"));
        Assert.Equal(2.5, sink.Family("opsmon_cgroup_cpu_throttled_seconds_total").Value("/system.slice/foo.service"));
        Assert.Equal(1.2, sink.Family("opsmon_cgroup_cpu_usage_seconds_total").Value("/system.slice/foo.service"));
    }

    [Fact]
    public void Pressure_some_is_waiting_and_full_is_stalled()
    {
        var sink = Systemd();

        Assert.Equal(0.8, sink.Family("opsmon_cgroup_pressure_waiting_seconds_total").Value("/system.slice/foo.service", "memory"));
        Assert.Equal(0.6, sink.Family("opsmon_cgroup_pressure_stalled_seconds_total").Value("/system.slice/foo.service", "memory"));
        Assert.Equal(3, sink.Family("opsmon_cgroup_pressure_waiting_seconds_total").Value("/", "io"));
    }

    [Fact]
    public void Pids_current_is_reported_per_cgroup()
    {
        Assert.Equal(7, Systemd().Family("opsmon_cgroup_pids_current").Value("/system.slice/foo.service"));
    }

    [Fact]
    public void A_host_without_a_cgroup2_mount_reports_no_data()
    {
        using var tree = FixtureRoots.Temp();
        tree.Write("proc/self/mountinfo", "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n");

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new CgroupCollector(CollectorContext.For(tree.Root))));
    }

    [Fact]
    public void An_escaped_mount_point_is_unescaped()
    {
        using var tree = FixtureRoots.Temp();
        tree.Write("proc/self/mountinfo", "40 30 0:37 / /cg\\040root rw,relatime - cgroup2 cgroup2 rw\n");
        tree.Write("cg root/pids.current", "12\n");

        var sink = FixtureRoots.Collect(new CgroupCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(12, sink.Family("opsmon_cgroup_pids_current").Value("/"));
    }
}
