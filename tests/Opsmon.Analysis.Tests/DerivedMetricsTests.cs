using Opsmon.Analysis.Tests.Leaks;
using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests;

public sealed class DerivedMetricsTests
{
    private static AnalysisResult Analyze()
    {
        var q = new SyntheticMachine().Build();
        var leak = LeakSeries.Leaker(20, seed: 3);
        q.Series("opsmon_process_resident_memory_bytes", i => leak[i], ("pid", "2002"), ("name", "leak20"));
        return new Analyzer().Analyze(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());
    }

    [Fact]
    public void Leak_suspect_is_published_as_1_with_pid_and_name()
    {
        var samples = Analyze().Samples;

        var suspect = samples.Single(static s => s.Name == DerivedMetrics.MemoryLeakSuspect && s.Labels.Get("pid") == "2002");
        Assert.Equal(1, suspect.Value);
        Assert.Equal("leak20", suspect.Labels.Get("name"));
        Assert.Equal(0, samples.Single(static s => s.Name == DerivedMetrics.MemoryLeakSuspect && s.Labels.Get("pid") == "812").Value);
    }

    [Fact]
    public void Growth_rate_is_published_for_every_process()
    {
        var samples = Analyze().Samples;

        var growth = samples.Where(static s => s.Name == DerivedMetrics.ProcessMemoryGrowth).ToList();
        Assert.Equal(4, growth.Count);
        Assert.Equal(20e6 / 60, growth.Single(static s => s.Labels.Get("pid") == "2002").Value, 20e6 / 60 * 0.1);
    }

    [Fact]
    public void Filesystem_and_memory_forecasts_are_published()
    {
        var samples = Analyze().Samples;

        Assert.Contains(samples, static s => s.Name == DerivedMetrics.FilesystemFullSeconds && s.Labels.Get("mountpoint") == "/");
        Assert.Contains(samples, static s => s.Name == DerivedMetrics.MemoryExhaustedSeconds);
        Assert.DoesNotContain(samples, static s => s.Labels.Get("mountpoint") == "/snap/core/1");
    }
}
