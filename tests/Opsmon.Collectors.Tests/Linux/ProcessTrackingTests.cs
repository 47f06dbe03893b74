using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>process-exporter's tracker semantics over several scrapes of a hand-made /proc.</summary>
public sealed class ProcessTrackingTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();

    public void Dispose() => _tree.Dispose();

    private ProcessCollector Collector(CollectorOptions? options = null) => new(CollectorContext.For(_tree.Root, options));

    private static double UserSeconds(MetricSink sink, string group) =>
        sink.Family("namedprocess_namegroup_cpu_seconds_total").Value(group, "user");

    [Fact]
    public void Counters_of_a_process_running_at_the_first_scrape_count_only_later_growth()
    {
        var worker = new FakeProcess(10, "worker") { UserTicks = 1000, SystemTicks = 500, MinorFaults = 70, Io = (4096, 8192), VoluntaryCtx = 9 };
        _tree.Add(worker);
        var collector = Collector();
        FixtureRoots.Collect(collector);

        _tree.Add(worker with { UserTicks = 1250, SystemTicks = 510, MinorFaults = 75, Io = (5096, 8192), VoluntaryCtx = 12 });
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(2.5, UserSeconds(sink, "worker"));
        Assert.Equal(0.1, sink.Family("namedprocess_namegroup_cpu_seconds_total").Value("worker", "system"), 9);
        Assert.Equal(5, sink.Family("namedprocess_namegroup_minor_page_faults_total").Value("worker"));
        Assert.Equal(1000, sink.Family("namedprocess_namegroup_read_bytes_total").Value("worker"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_write_bytes_total").Value("worker"));
        Assert.Equal(3, sink.Family("namedprocess_namegroup_context_switches_total").Value("worker", "voluntary"));
    }

    [Fact]
    public void A_process_that_starts_after_the_first_scrape_counts_in_full()
    {
        _tree.Add(new FakeProcess(10, "worker") { UserTicks = 1000 });
        var collector = Collector();
        FixtureRoots.Collect(collector);

        _tree.Add(new FakeProcess(11, "worker") { UserTicks = 30, StartTicks = 900 });
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(0.3, UserSeconds(sink, "worker"));
        Assert.Equal(2, sink.Family("namedprocess_namegroup_num_procs").Value("worker"));
    }

    [Fact]
    public void Group_counters_do_not_go_down_when_a_member_exits()
    {
        var first = new FakeProcess(10, "worker") { UserTicks = 100 };
        var second = new FakeProcess(11, "worker") { UserTicks = 100 };
        _tree.Add(first).Add(second);
        var collector = Collector();
        FixtureRoots.Collect(collector);
        _tree.Add(first with { UserTicks = 150 }).Add(second with { UserTicks = 120 });
        FixtureRoots.Collect(collector);

        _tree.Remove(10);
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(0.7, UserSeconds(sink, "worker"), 9);
        Assert.Equal(1, sink.Family("namedprocess_namegroup_num_procs").Value("worker"));
    }

    [Fact]
    public void A_group_whose_members_all_exited_keeps_its_counters_with_zero_gauges()
    {
        var worker = new FakeProcess(10, "worker") { UserTicks = 100, ResidentPages = 50 };
        _tree.Add(worker);
        var collector = Collector();
        FixtureRoots.Collect(collector);
        _tree.Add(worker with { UserTicks = 300 });
        FixtureRoots.Collect(collector);

        _tree.Remove(10);
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(2, UserSeconds(sink, "worker"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_num_procs").Value("worker"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_memory_bytes").Value("worker", "resident"));
        Assert.Equal(0, sink.Family("namedprocess_namegroup_oldest_start_time_seconds").Value("worker"));
    }

    [Fact]
    public void A_reused_pid_with_another_start_time_is_a_new_process()
    {
        _tree.Add(new FakeProcess(10, "worker") { UserTicks = 500, StartTicks = 100 });
        var collector = Collector();
        FixtureRoots.Collect(collector);

        // The old process exited and a new one got its pid: its 40 ticks all happened since the last scrape.
        _tree.Add(new FakeProcess(10, "worker") { UserTicks = 40, StartTicks = 700 });
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(0.4, UserSeconds(sink, "worker"));
    }

    [Fact]
    public void A_process_that_vanishes_between_stat_and_status_is_not_counted()
    {
        _tree.Add(new FakeProcess(10, "worker") { ResidentPages = 5 });
        _tree.Add(new FakeProcess(11, "worker") { ResidentPages = 7, WithoutStatus = true });
        _tree.Add(new FakeProcess(12, "ghost") { WithoutStatus = true });

        var sink = FixtureRoots.Collect(Collector());

        var procs = sink.Family("namedprocess_namegroup_num_procs");
        Assert.Equal(1, procs.Value("worker"));
        Assert.Equal(5 * Environment.SystemPageSize, sink.Family("namedprocess_namegroup_memory_bytes").Value("worker", "resident"));
        Assert.DoesNotContain(procs.Samples, s => s.LabelValues[0] == "ghost");
    }

    [Fact]
    public void Unreadable_io_contributes_nothing_instead_of_going_backwards()
    {
        var worker = new FakeProcess(10, "worker") { Io = (1000, 1000) };
        _tree.Add(worker);
        var collector = Collector();
        FixtureRoots.Collect(collector);
        _tree.Add(worker with { Io = (3000, 1000) });
        FixtureRoots.Collect(collector);

        File.Delete(Path.Combine(_tree.Path, "proc/10/io"));
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(2000, sink.Family("namedprocess_namegroup_read_bytes_total").Value("worker"));
    }

    [Fact]
    public void Comm_with_spaces_and_parentheses_is_read_up_to_the_last_parenthesis()
    {
        _tree.Add(new FakeProcess(10, "my (odd) name)") { Threads = 7 });

        var sink = FixtureRoots.Collect(Collector());

        Assert.Equal(7, sink.Family("namedprocess_namegroup_num_threads").Value("my (odd) name)"));
    }

    [Fact]
    public void Comm_with_a_newline_and_invalid_utf8_still_forms_a_group()
    {
        _tree.Add(new FakeProcess(10, "x") { CommBytes = [(byte)'a', (byte)'\n', 0xff, (byte)'b'], Threads = 3 });

        var sink = FixtureRoots.Collect(Collector());

        Assert.Equal(3, sink.Family("namedprocess_namegroup_num_threads").Value("a\n\uFFFDb"));
    }

    [Fact]
    public void Worst_fd_ratio_is_the_highest_open_to_limit_ratio_in_the_group()
    {
        _tree.Add(new FakeProcess(10, "worker") { Fds = 10, FdLimit = "100" });
        _tree.Add(new FakeProcess(11, "worker") { Fds = 30, FdLimit = "1000" });
        _tree.Add(new FakeProcess(12, "worker") { Fds = 500, FdLimit = "unlimited" });

        var sink = FixtureRoots.Collect(Collector());

        Assert.Equal(0.1, sink.Family("namedprocess_namegroup_worst_fd_ratio").Value("worker"));
        Assert.Equal(540, sink.Family("namedprocess_namegroup_open_filedesc").Value("worker"));
    }

    [Fact]
    public void Swap_and_proportional_memory_sum_over_the_members()
    {
        _tree.Add(new FakeProcess(10, "worker") { SwapKb = 4, Smaps = (100, 2, 0, 0) });
        _tree.Add(new FakeProcess(11, "worker") { SwapKb = 6, Smaps = (50, 3, 0, 0) });

        var memory = FixtureRoots.Collect(Collector()).Family("namedprocess_namegroup_memory_bytes");

        Assert.Equal(10 * 1024, memory.Value("worker", "swapped"));
        Assert.Equal(150 * 1024, memory.Value("worker", "proportionalResident"));
        Assert.Equal(5 * 1024, memory.Value("worker", "proportionalSwapped"));
    }

    [Fact]
    public void Threads_add_their_states_to_the_process_state_as_process_exporter_does()
    {
        _tree.Add(new FakeProcess(10, "server") { Threads = 3, State = 'S' })
            .AddThread(10, 10, 'S', 0, 0).AddThread(10, 11, 'R', 0, 0).AddThread(10, 12, 'D', 0, 0);

        var states = FixtureRoots.Collect(Collector()).Family("namedprocess_namegroup_states");

        Assert.Equal(2, states.Value("server", "Sleeping"));
        Assert.Equal(1, states.Value("server", "Running"));
        Assert.Equal(1, states.Value("server", "Waiting"));
    }

    [Fact]
    public void Context_switches_of_a_threaded_process_are_summed_over_its_threads()
    {
        // status of the process counts the main thread only (5 voluntary switches here).
        var server = new FakeProcess(10, "server") { Threads = 2, VoluntaryCtx = 5 };
        _tree.Add(server).AddThread(10, 10, 'S', 5, 1).AddThread(10, 11, 'S', 100, 2);
        var collector = Collector();
        FixtureRoots.Collect(collector);

        _tree.Add(server with { VoluntaryCtx = 6 }).AddThread(10, 10, 'S', 6, 1).AddThread(10, 11, 'S', 150, 4);
        var ctx = FixtureRoots.Collect(collector).Family("namedprocess_namegroup_context_switches_total");

        Assert.Equal(51, ctx.Value("server", "voluntary"));
        Assert.Equal(2, ctx.Value("server", "nonvoluntary"));
    }
}
