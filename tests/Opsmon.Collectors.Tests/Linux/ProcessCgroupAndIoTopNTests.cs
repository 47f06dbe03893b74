using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>
/// The I/O ranking of the opsmon_process_* series and the opsmon_process_cgroup_info link from a top process to its
/// cgroup v2 path, which lets the doctor name the processes behind a cgroup's pressure.
/// </summary>
public sealed class ProcessCgroupAndIoTopNTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();

    public void Dispose() => _tree.Dispose();

    private ProcessCollector Collector(int top) => new(CollectorContext.For(_tree.Root, new CollectorOptions { TopProcesses = top }));

    private static string[] Pids(MetricSink sink) =>
        [.. sink.Family("opsmon_process_resident_memory_bytes").Samples.Select(s => s.LabelValues[0])];

    private static Dictionary<string, string> Cgroups(MetricSink sink) =>
        sink.Families.Where(f => f.Name == "opsmon_process_cgroup_info").SelectMany(f => f.Samples)
            .ToDictionary(s => s.LabelValues[0], s => s.LabelValues[3]);

    [Fact]
    public void A_small_process_doing_io_is_selected_besides_the_largest()
    {
        var large = new FakeProcess(10, "db") { ResidentPages = 100_000, Io = (0, 0) };
        var writer = new FakeProcess(20, "writer") { ResidentPages = 10, Io = (0, 4096) };
        var idle = new FakeProcess(30, "idle") { ResidentPages = 500, Io = (1 << 30, 1 << 30) };
        _tree.Add(large).Add(writer).Add(idle);
        var collector = Collector(1);

        // The first scan has no I/O rate: a process's total since its start is not recent I/O.
        Assert.Equal(["10"], Pids(FixtureRoots.Collect(collector)));

        _tree.Add(writer with { Io = (0, 1 << 20) });

        Assert.Equal(["10", "20"], Pids(FixtureRoots.Collect(collector)));
    }

    [Fact]
    public void Each_top_process_names_its_cgroup_v2_path_from_a_hybrid_cgroup_file()
    {
        _tree.Add(new FakeProcess(10, "db") { ResidentPages = 1000, Cgroup = "12:memory:/v1/only\n1:name=systemd:/system.slice/db.service\n0::/system.slice/db.service\n" })
            .Add(new FakeProcess(20, "stress-ng-hdd") { ResidentPages = 900, Cgroup = "0::/opsmon-test/stress\n" });

        var sink = FixtureRoots.Collect(Collector(5));

        Assert.Equal(new Dictionary<string, string> { ["10"] = "/system.slice/db.service", ["20"] = "/opsmon-test/stress" }, Cgroups(sink));
        Assert.All(sink.Family("opsmon_process_cgroup_info").Samples, s => Assert.Equal(1, s.Value));
    }

    [Fact]
    public void A_process_moved_to_another_cgroup_is_shown_in_the_new_one()
    {
        var p = new FakeProcess(20, "worker") { ResidentPages = 900, Cgroup = "0::/user.slice\n" };
        _tree.Add(p);
        var collector = Collector(5);
        Assert.Equal("/user.slice", Cgroups(FixtureRoots.Collect(collector))["20"]);

        _tree.Add(p with { Cgroup = "0::/limited\n" });

        Assert.Equal("/limited", Cgroups(FixtureRoots.Collect(collector))["20"]);
    }

    [Fact]
    public void A_pure_v1_host_or_an_unreadable_file_gives_no_cgroup_series_and_no_error()
    {
        _tree.Add(new FakeProcess(10, "db") { ResidentPages = 1000, Cgroup = "4:memory:/\n1:cpu:/\n" })
            .Add(new FakeProcess(20, "gone") { ResidentPages = 900 });

        var sink = FixtureRoots.Collect(Collector(5));

        Assert.Equal(["10", "20"], Pids(sink));
        Assert.Empty(Cgroups(sink));
    }
}
