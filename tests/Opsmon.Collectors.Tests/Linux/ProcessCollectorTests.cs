using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>The process collector on the recorded Debian 12 VM (40 pids; bash is pid 1104, its parent 1103).</summary>
public sealed class ProcessCollectorTests
{
    private const double BootTime = 1795615185;
    private static readonly double PageSize = Environment.SystemPageSize;

    private static ProcessCollector Recorded(CollectorOptions? options = null) =>
        new(FixtureRoots.Context("debian12-vm", options));

    [Fact]
    public void Without_rules_every_recorded_process_is_grouped_by_comm_kernel_threads_included()
    {
        var sink = FixtureRoots.Collect(Recorded());

        var procs = sink.Family("namedprocess_namegroup_num_procs");
        Assert.Equal(40, procs.Samples.Sum(s => s.Value));
        Assert.Equal(1, procs.Value("bash"));
        Assert.Equal(1, procs.Value("kthreadd"));
        Assert.Equal(1, procs.Value("kworker/0:2H-kblockd"));
    }

    [Fact]
    public void Group_gauges_come_from_stat_fd_limits_and_smaps_rollup()
    {
        var sink = FixtureRoots.Collect(Recorded());

        // bash: rss 986 pages, vsize 5332992, 1 thread, starttime 4987 ticks, 9 fds of 20000, Pss 1723 kB.
        var memory = sink.Family("namedprocess_namegroup_memory_bytes");
        Assert.Equal(986 * PageSize, memory.Value("bash", "resident"));
        Assert.Equal(5332992, memory.Value("bash", "virtual"));
        Assert.Equal(0, memory.Value("bash", "swapped"));
        Assert.Equal(1723 * 1024, memory.Value("bash", "proportionalResident"));
        Assert.Equal(0, memory.Value("bash", "proportionalSwapped"));
        Assert.Equal(1, sink.Family("namedprocess_namegroup_num_threads").Value("bash"));
        Assert.Equal(13, sink.Family("namedprocess_namegroup_num_threads").Value("process_api"));
        Assert.Equal(9, sink.Family("namedprocess_namegroup_open_filedesc").Value("bash"));
        Assert.Equal(9.0 / 20000, sink.Family("namedprocess_namegroup_worst_fd_ratio").Value("bash"));
        Assert.Equal(BootTime + 49, sink.Family("namedprocess_namegroup_oldest_start_time_seconds").Value("bash"));
    }

    [Fact]
    public void States_map_stat_letters_as_process_exporter_does()
    {
        var states = FixtureRoots.Collect(Recorded()).Family("namedprocess_namegroup_states");

        Assert.Equal(1, states.Value("bash", "Sleeping"));
        Assert.Equal(0, states.Value("bash", "Running"));

        // An idle kernel worker is 'I', which process-exporter counts as Other.
        Assert.Equal(1, states.Value("kworker/0:2H-kblockd", "Other"));
        Assert.Equal(0, states.Value("kworker/0:2H-kblockd", "Sleeping"));
    }

    [Fact]
    public void First_scrape_counts_nothing_for_processes_already_running()
    {
        var sink = FixtureRoots.Collect(Recorded());

        Assert.Equal(0, sink.Family("namedprocess_namegroup_cpu_seconds_total").Value("bash", "user"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_read_bytes_total").Value("bash"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_minor_page_faults_total").Value("bash"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_context_switches_total").Value("bash", "voluntary"));
    }

    [Fact]
    public void Without_smaps_no_proportional_memory_is_reported()
    {
        var collector = Recorded(new CollectorOptions { GatherSmaps = false });
        var sink = FixtureRoots.Collect(collector);

        Assert.DoesNotContain(sink.Family("namedprocess_namegroup_memory_bytes").Samples, s => s.LabelValues[1] == "proportionalResident");
        Assert.DoesNotContain(sink.Families, f => f.Name == "opsmon_process_pss_bytes");
    }

    [Fact]
    public void Top_processes_are_the_union_of_the_top_by_memory_and_by_cpu()
    {
        // By rss: 1 (2213 pages), 1104 (986), 1103 (260). By cumulative CPU: 1 (335 ticks), 1104 (51), 15 (45).
        var sink = FixtureRoots.Collect(Recorded(new CollectorOptions { TopProcesses = 3 }));

        var pids = sink.Family("opsmon_process_resident_memory_bytes").Samples.Select(s => s.LabelValues[0]);
        Assert.Equal(["1", "15", "1103", "1104"], pids);
    }

    [Fact]
    public void Top_process_series_carry_the_recorded_values()
    {
        var sink = FixtureRoots.Collect(Recorded(new CollectorOptions { TopProcesses = 2 }));

        string[] bash = ["1104", "bash", "bash /dev/fd/3"];
        Assert.Equal(0.18, sink.Family("opsmon_process_cpu_seconds_total").Value([.. bash, "user"]));
        Assert.Equal(0.33, sink.Family("opsmon_process_cpu_seconds_total").Value([.. bash, "system"]));
        Assert.Equal(986 * PageSize, sink.Family("opsmon_process_resident_memory_bytes").Value(bash));
        Assert.Equal(5332992, sink.Family("opsmon_process_virtual_memory_bytes").Value(bash));
        Assert.Equal(0, sink.Family("opsmon_process_swap_bytes").Value(bash));
        Assert.Equal(1723 * 1024, sink.Family("opsmon_process_pss_bytes").Value(bash));
        Assert.Equal((140 + 360) * 1024, sink.Family("opsmon_process_uss_bytes").Value(bash));
        Assert.Equal(9, sink.Family("opsmon_process_open_fds").Value(bash));
        Assert.Equal(1, sink.Family("opsmon_process_threads").Value(bash));
        Assert.Equal(381325312, sink.Family("opsmon_process_read_bytes_total").Value(bash));
        Assert.Equal(201220096, sink.Family("opsmon_process_write_bytes_total").Value(bash));
        Assert.Equal(BootTime + 49.87, sink.Family("opsmon_process_start_time_seconds").Value(bash), 6);
    }

    [Fact]
    public void Top_process_without_readable_io_or_smaps_has_no_such_series()
    {
        // pid 1 was recorded without io and smaps_rollup (no ptrace rights on it).
        var sink = FixtureRoots.Collect(Recorded(new CollectorOptions { TopProcesses = 1 }));

        var cmdline = Assert.Single(sink.Family("opsmon_process_resident_memory_bytes").Samples).LabelValues[2];
        Assert.StartsWith("/process_api --firecracker-init", cmdline);
        Assert.Equal(80, cmdline.Length);
        Assert.DoesNotContain(sink.Families, f => f.Name is "opsmon_process_read_bytes_total" or "opsmon_process_pss_bytes");
        Assert.Equal(236, sink.Family("opsmon_process_open_fds").Value("1", "process_api", cmdline));
    }

    [Fact]
    public void Zero_top_processes_disables_the_per_process_series()
    {
        var sink = FixtureRoots.Collect(Recorded(new CollectorOptions { TopProcesses = 0 }));

        Assert.DoesNotContain(sink.Families, f => f.Name.StartsWith("opsmon_process_", StringComparison.Ordinal));
    }

    [Fact]
    public void A_root_without_proc_reports_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new ProcessCollector(CollectorContext.For(tree.Root))));
    }

    [Fact]
    public void Live_scan_finds_this_test_process_and_bounds_the_top_series()
    {
        var ownComm = File.ReadAllText("/proc/self/comm").TrimEnd('\n');
        var collector = new ProcessCollector(CollectorContext.For(FsRoot.Live, new CollectorOptions { TopProcesses = 2 }));
        FixtureRoots.Collect(collector);

        var sink = FixtureRoots.Collect(collector);

        Assert.True(sink.Family("namedprocess_namegroup_num_procs").Value(ownComm) >= 1);
        var pids = sink.Family("opsmon_process_resident_memory_bytes").Samples.Select(s => s.LabelValues[0]).ToHashSet();
        // The union of the top 2 by memory, by CPU and by memory growth.
        Assert.InRange(pids.Count, 1, 6);
    }
}
