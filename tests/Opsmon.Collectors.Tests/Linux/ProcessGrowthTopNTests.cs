using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>The memory-growth ranking of the opsmon_process_* series, which lets a small leak be followed from its start.</summary>
public sealed class ProcessGrowthTopNTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();

    public void Dispose() => _tree.Dispose();

    private ProcessCollector Collector(int top) => new(CollectorContext.For(_tree.Root, new CollectorOptions { TopProcesses = top }));

    private static string[] Pids(MetricSink sink) =>
        [.. sink.Family("opsmon_process_resident_memory_bytes").Samples.Select(s => s.LabelValues[0])];

    [Fact]
    public void A_small_process_whose_memory_grows_is_selected_besides_the_largest()
    {
        var large = new FakeProcess(10, "db") { ResidentPages = 100_000 };
        var leaker = new FakeProcess(20, "leaker") { ResidentPages = 100 };
        var other = new FakeProcess(30, "idle") { ResidentPages = 500 };
        _tree.Add(large).Add(leaker).Add(other);
        var collector = Collector(1);
        Assert.Equal(["10"], Pids(FixtureRoots.Collect(collector)));

        _tree.Add(leaker with { ResidentPages = 120 });

        Assert.Equal(["10", "20"], Pids(FixtureRoots.Collect(collector)));
    }

    [Fact]
    public void A_steady_grower_outranks_a_single_jump_a_few_scrapes_later()
    {
        var steady = new FakeProcess(20, "leaker") { ResidentPages = 100 };
        var jumpy = new FakeProcess(30, "gc") { ResidentPages = 100 };
        var large = new FakeProcess(10, "db") { ResidentPages = 100_000 };
        _tree.Add(large).Add(steady).Add(jumpy);
        var collector = Collector(1);
        FixtureRoots.Collect(collector);

        // The heap jumps by 60 pages once and is freed again; the leak gains 10 pages every scrape.
        _tree.Add(steady with { ResidentPages = 110 }).Add(jumpy with { ResidentPages = 160 });
        Assert.Equal(["10", "30"], Pids(FixtureRoots.Collect(collector)));
        _tree.Add(steady with { ResidentPages = 120 }).Add(jumpy with { ResidentPages = 100 });
        FixtureRoots.Collect(collector);
        _tree.Add(steady with { ResidentPages = 130 });

        Assert.Equal(["10", "20"], Pids(FixtureRoots.Collect(collector)));
    }

    [Fact]
    public void Processes_that_only_shrink_or_stay_are_not_selected_for_growth()
    {
        var large = new FakeProcess(10, "db") { ResidentPages = 100_000 };
        var shrinking = new FakeProcess(20, "cache") { ResidentPages = 500 };
        _tree.Add(large).Add(shrinking);
        var collector = Collector(1);
        FixtureRoots.Collect(collector);

        _tree.Add(shrinking with { ResidentPages = 400 });

        Assert.Equal(["10"], Pids(FixtureRoots.Collect(collector)));
    }
}
