using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Leaks;

public sealed class LeakScannerTests
{
    private static (SyntheticQuerier Querier, DoctorReport Report) Scenario()
    {
        var m = new SyntheticMachine();
        var q = m.Build();
        Add(q, 2001, "leak5", LeakSeries.Leaker(5, seed: 2));
        Add(q, 2002, "leak20", LeakSeries.Leaker(20, seed: 3));
        Add(q, 2003, "steady", LeakSeries.Steady(seed: 4));
        Add(q, 2004, "warmup", LeakSeries.WarmUpThenPlateau(seed: 5));
        Add(q, 2005, "sawtooth", LeakSeries.Sawtooth(seed: 6));
        Add(q, 2006, "noise", LeakSeries.Noise(seed: 7));
        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());
        return (q, report);
    }

    private static void Add(SyntheticQuerier q, int pid, string name, double[] rss) =>
        q.Series("opsmon_process_resident_memory_bytes", i => rss[i], ("pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("name", name));

    [Fact]
    public void Only_the_leakers_are_suspects()
    {
        var (_, report) = Scenario();

        Assert.Equal(["leak20", "leak5"], report.Leaks.Select(static l => l.Name));
    }

    [Fact]
    public void Leak_finding_gives_rate_in_mb_per_hour_and_time_until_memavailable_is_used_up()
    {
        var (_, report) = Scenario();

        var leak = report.Leaks.Single(static l => l.Pid == 2002);
        Assert.Equal(1200, leak.MegabytesPerHour, 120.0);
        Assert.Equal("rss", leak.Metric);
        Assert.Equal("MemAvailable", leak.Limit);
        // 8 GiB available at 20 MB/min.
        Assert.Equal(8 * 1024.0 * 1024 * 1024 / (20e6 / 60), leak.SecondsUntilExhausted!.Value, 2500.0);
    }

    [Fact]
    public void Leak_suspect_is_a_warning_finding_naming_the_process()
    {
        var (_, report) = Scenario();

        var finding = report.Findings.Single(static f => f.Id == "memory.leak" && f.Resource == "process:2001");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.True(finding.Names(2001, "leak5"));
        Assert.Contains("MB/h", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Leak_that_exhausts_memory_within_the_hour_is_critical()
    {
        var q = new SyntheticMachine { MemAvailable = 500e6 }.Build();
        Add(q, 2002, "leak20", LeakSeries.Leaker(20, seed: 3));

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        Assert.Equal(Severity.Critical, report.Findings.Single(static f => f.Id == "memory.leak").Severity);
    }

    [Fact]
    public void Uss_is_preferred_over_rss_when_present()
    {
        var q = new SyntheticMachine().Build();
        Add(q, 2002, "leak20", LeakSeries.Steady(seed: 3));
        var uss = LeakSeries.Leaker(20, seed: 3);
        q.Series("opsmon_process_uss_bytes", i => uss[i], ("pid", "2002"), ("name", "leak20"));

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        Assert.Equal("uss", report.Leaks.Single().Metric);
    }

    [Fact]
    public void Growing_cgroup_is_measured_against_its_memory_max()
    {
        var q = new SyntheticMachine { CgroupMemoryMax = 1e9 }.Build();
        var growth = LeakSeries.Leaker(20, seed: 8);
        q.Series("opsmon_cgroup_memory_current_bytes", i => growth[i], ("cgroup", "/user.slice/leaky.scope"));
        q.Gauge("opsmon_cgroup_memory_max_bytes", 1e9, ("cgroup", "/user.slice/leaky.scope"));

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        var leak = report.Leaks.Single();
        Assert.Equal("cgroup", leak.Kind);
        Assert.Equal("memory.max", leak.Limit);
        // 1 GB limit, about 340 MB used, growing 20 MB/min: roughly 33 minutes left.
        Assert.InRange(leak.SecondsUntilExhausted!.Value, 1800, 2200);
    }

    [Fact]
    public void Uss_refreshed_less_often_than_the_samples_gives_way_to_rss()
    {
        // smaps_rollup read once a minute: USS holds still for minutes while RSS shows the leak.
        var q = new SyntheticMachine().Build();
        var rss = LeakSeries.Leaker(20, seed: 3);
        Add(q, 2002, "leak20", rss);
        q.Series("opsmon_process_uss_bytes", i => rss[i / 60 * 60] - (100 * LeakSeries.MB), ("pid", "2002"), ("name", "leak20"));

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        var leak = Assert.Single(report.Leaks);
        Assert.Equal("rss", leak.Metric);
        Assert.Equal(20e6 / 60, leak.BytesPerSecond, 20e6 / 60 * 0.1);
    }

    [Fact]
    public void Uss_that_moves_is_preferred_to_rss()
    {
        var q = new SyntheticMachine().Build();
        var rss = LeakSeries.Leaker(20, seed: 3);
        Add(q, 2002, "leak20", rss);
        q.Series("opsmon_process_uss_bytes", i => rss[i] - (100 * LeakSeries.MB), ("pid", "2002"), ("name", "leak20"));

        var report = new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        Assert.Equal("uss", Assert.Single(report.Leaks).Metric);
    }
}
