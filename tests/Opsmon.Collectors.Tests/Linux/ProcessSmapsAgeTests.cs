using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>smaps_rollup is the dearest read of a scrape: its figures are reused for <see cref="CollectorOptions.SmapsMaxAge"/>.</summary>
public sealed class ProcessSmapsAgeTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();
    private readonly ManualTime _time = new();

    public void Dispose() => _tree.Dispose();

    private ProcessCollector Collector(TimeSpan maxAge) =>
        new(CollectorContext.For(_tree.Root, new CollectorOptions { SmapsMaxAge = maxAge }, _time));

    private double Pss(ProcessCollector collector) =>
        FixtureRoots.Collect(collector).Family("namedprocess_namegroup_memory_bytes").Value("worker", "proportionalResident");

    [Fact]
    public void Pss_read_less_than_max_age_ago_is_reused()
    {
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (100, 0, 0, 0) });
        var collector = Collector(TimeSpan.FromSeconds(60));
        _ = Pss(collector);
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (300, 0, 0, 0) });
        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal(100 * 1024, Pss(collector));
    }

    [Fact]
    public void Pss_is_read_again_once_max_age_has_passed()
    {
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (100, 0, 0, 0) });
        var collector = Collector(TimeSpan.FromSeconds(60));
        _ = Pss(collector);
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (300, 0, 0, 0) });
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(300 * 1024, Pss(collector));
    }

    [Fact]
    public void Zero_max_age_reads_pss_on_every_scrape()
    {
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (100, 0, 0, 0) });
        var collector = Collector(TimeSpan.Zero);
        _ = Pss(collector);
        _tree.Add(new FakeProcess(10, "worker") { Smaps = (300, 0, 0, 0) });

        Assert.Equal(300 * 1024, Pss(collector));
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
