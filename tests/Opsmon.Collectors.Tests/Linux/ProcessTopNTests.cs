using System.Globalization;
using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>The opsmon_process_* series: the top N by resident memory, by recent CPU and by recent memory growth, nothing more.</summary>
public sealed class ProcessTopNTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();

    public void Dispose() => _tree.Dispose();

    private ProcessCollector Collector(int top) => new(CollectorContext.For(_tree.Root, new CollectorOptions { TopProcesses = top }));

    private static string[] Pids(MetricSink sink) =>
        [.. sink.Family("opsmon_process_resident_memory_bytes").Samples.Select(s => s.LabelValues[0])];

    [Fact]
    public void Series_stay_within_twice_n_processes_however_many_run()
    {
        // rss rises with the pid, CPU falls with it: the top 3 of each are disjoint.
        for (var pid = 100; pid < 300; pid++)
        {
            _tree.Add(new FakeProcess(pid, "worker") { ResidentPages = (ulong)pid, UserTicks = (ulong)(1000 - pid) });
        }

        var sink = FixtureRoots.Collect(Collector(3));

        Assert.Equal(["100", "101", "102", "297", "298", "299"], Pids(sink));
        Assert.Equal(12, sink.Family("opsmon_process_cpu_seconds_total").Samples.Count);
    }

    [Fact]
    public void After_the_first_scrape_cpu_ranking_uses_the_growth_since_the_previous_scrape()
    {
        var busyBefore = new FakeProcess(10, "old") { UserTicks = 10_000 };
        var busyNow = new FakeProcess(11, "new") { UserTicks = 100 };
        _tree.Add(busyBefore).Add(busyNow);
        var collector = Collector(1);
        Assert.Equal(["10"], Pids(FixtureRoots.Collect(collector)));

        _tree.Add(busyBefore with { UserTicks = 10_010 }).Add(busyNow with { UserTicks = 400 });

        Assert.Equal(["11"], Pids(FixtureRoots.Collect(collector)));
    }

    [Fact]
    public void Idle_processes_without_memory_are_not_top_processes()
    {
        _tree.Add(new FakeProcess(2, "kthreadd")).Add(new FakeProcess(10, "app") { ResidentPages = 1 });

        Assert.Equal(["10"], Pids(FixtureRoots.Collect(Collector(5))));
    }

    [Fact]
    public void Labels_name_the_pid_comm_and_the_command_line()
    {
        _tree.Add(new FakeProcess(42, "py") { ResidentPages = 1, Argv = ["python3", "-c", "print(1)\nprint(2)"] });

        var sample = Assert.Single(FixtureRoots.Collect(Collector(1)).Family("opsmon_process_resident_memory_bytes").Samples);

        Assert.Equal(["42", "py", "python3 -c print(1)?print(2)"], sample.LabelValues);
    }

    [Fact]
    public void Uss_is_private_clean_plus_private_dirty()
    {
        _tree.Add(new FakeProcess(42, "db") { ResidentPages = 1, Smaps = (300, 0, 120, 80) });

        var sink = FixtureRoots.Collect(Collector(1));

        Assert.Equal(200 * 1024, sink.Family("opsmon_process_uss_bytes").Value("42", "db", "[db]"));
        Assert.Equal(300 * 1024, sink.Family("opsmon_process_pss_bytes").Value("42", "db", "[db]"));
    }

    [Fact]
    public void Start_time_is_boot_time_plus_start_ticks()
    {
        _tree.Add(new FakeProcess(42, "db") { ResidentPages = 1, StartTicks = 12345 });

        var sink = FixtureRoots.Collect(Collector(1));

        var expected = FakeProcesses.BootTime + 123.45;
        Assert.Equal(expected, sink.Family("opsmon_process_start_time_seconds").Value("42", "db", "[db]"), 6);
        Assert.Equal(42.ToString(CultureInfo.InvariantCulture), sink.Family("opsmon_process_threads").Samples[0].LabelValues[0]);
    }
}
